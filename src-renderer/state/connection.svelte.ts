// The app's link to the host: connecting, open, or gone (with the reason, for the banner). The HostClient does not
// announce a closed transport, so a light heartbeat ('settings/get' every few seconds) notices it, and doubles as a
// measure of how quickly the host answers (its round-trip time, in ms).
import type { HostClient } from '../../src-shared/protocol/client';
import { errorMessage } from '../lib/format';

export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'failed';

const HEARTBEAT_MS = 2000;
const MAX_SAMPLES = 600;
const CLOSED_PATTERN = /^(not connected to the host|connection to the host closed)/;

/** True when an error says the connection itself is gone (not that one request failed). */
export function isConnectionLost(err: unknown): boolean {
  return CLOSED_PATTERN.test(errorMessage(err));
}

export interface LatencyStats {
  last: number;
  p50: number;
  max: number;
  samples: number;
}

export class ConnectionState {
  status = $state<ConnectionStatus>('connecting');
  reason = $state<string | null>(null);
  client = $state.raw<HostClient | null>(null);
  latency = $state.raw<LatencyStats | null>(null);
  private readonly rtts: number[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  async connect(open: () => Promise<HostClient>): Promise<void> {
    this.status = 'connecting';
    try {
      this.client = await open();
      this.status = 'open';
      this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    } catch (err) {
      this.status = 'failed';
      this.reason = errorMessage(err);
    }
  }

  /** Every screen hands failed requests here: a lost connection turns into the banner. */
  report(err: unknown): void {
    if (this.status === 'open' && isConnectionLost(err)) this.lost(errorMessage(err));
  }

  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.client?.close();
  }

  private async beat(): Promise<void> {
    const client = this.client;
    if (!client || this.status !== 'open') return;
    const t0 = performance.now();
    try {
      await client.request('settings/get', {});
      this.record(performance.now() - t0);
    } catch (err) {
      this.report(err);
    }
  }

  private record(ms: number): void {
    this.rtts.push(ms);
    if (this.rtts.length > MAX_SAMPLES) this.rtts.shift();
    const sorted = [...this.rtts].sort((a, b) => a - b);
    this.latency = { last: ms, p50: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1], samples: sorted.length };
  }

  private lost(reason: string): void {
    this.status = 'closed';
    this.reason = reason.replace(CLOSED_PATTERN, '').replace(/^:\s*/, '') || reason;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
