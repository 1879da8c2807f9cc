// One run in full: its spec snapshot, events, artifacts and error, refreshed (throttled) while it changes, and its
// metric series for the detail charts.
import { METRIC_NAMES } from '../../src-shared/domain/records';
import type { RunDetail } from '../../src-shared/domain/records';
import type { Host } from '../lib/host';
import { errorMessage } from '../lib/format';
import type { MetricsHub } from '../lib/metrics-hub';
import { LiveSeries } from './live-series.svelte';

const REFRESH_MS = 1500;

export class RunDetailState {
  detail = $state.raw<RunDetail | null>(null);
  error = $state<string | null>(null);
  readonly series: LiveSeries;
  private readonly unsubscribe: () => void;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: Host,
    hub: MetricsHub,
    readonly runId: number,
  ) {
    this.series = new LiveSeries(host, hub, METRIC_NAMES);
    this.series.follow([runId]);
    this.unsubscribe = host.on('run/updated', (r) => {
      if (r.id !== runId || !this.detail) return;
      this.detail = { ...this.detail, ...r };
      this.scheduleRefresh();
    });
  }

  async load(): Promise<void> {
    try {
      this.detail = await this.host.request('runs/get', { id: this.runId });
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.series.dispose();
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
  }

  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = null;
      void this.load();
    }, REFRESH_MS);
  }
}
