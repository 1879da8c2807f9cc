// The pre-flight of the sweep being built: asked again (debounced) on every change, the previous request cancelled
// through its AbortSignal; the timing probe with its progress; and the launch.
import type { Preflight } from '../../src-shared/domain/preflight';
import type { SweepRecord } from '../../src-shared/domain/records';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import type { ProbeProgress } from '../../src-shared/protocol/api';
import type { Host } from '../lib/host';
import { errorMessage } from '../lib/format';
import { LatestRequest } from '../lib/latest-request';

const DEBOUNCE_MS = 300;

export class PreflightState {
  result = $state.raw<Preflight | null>(null);
  /** specJson the result answers. */
  resultFor = $state<string | null>(null);
  pending = $state(false);
  error = $state<string | null>(null);
  probing = $state(false);
  probeProgress = $state.raw<ProbeProgress | null>(null);
  probeError = $state<string | null>(null);
  launching = $state(false);
  launchError = $state<string | null>(null);
  private readonly latest = new LatestRequest<Preflight>(DEBOUNCE_MS);
  private probeController: AbortController | null = null;

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** True when the shown result answers exactly this spec and nothing newer is on its way. */
  isCurrent(specJson: string | null): boolean {
    return specJson !== null && specJson === this.resultFor && !this.pending;
  }

  canLaunch(specJson: string | null): boolean {
    return this.isCurrent(specJson) && !this.launching && (this.result?.cells.some((c) => c.availability.state === 'ok') ?? false);
  }

  update(spec: SweepSpec | null, specJson: string | null): void {
    if (!spec || !specJson) {
      this.latest.cancel();
      this.pending = false;
      return;
    }
    if (specJson === this.resultFor && !this.error && !this.latest.busy) return;
    this.cancelProbe();
    this.pending = true;
    this.latest.schedule((signal) => this.host.request('sweeps/preflight', { spec }, { signal }), {
      onResult: (r) => {
        this.result = r;
        this.resultFor = specJson;
        this.error = null;
        this.pending = false;
      },
      onError: (err) => {
        this.error = errorMessage(err);
        this.pending = false;
        this.onError(err);
      },
    });
  }

  async estimate(spec: SweepSpec, specJson: string): Promise<void> {
    this.cancelProbe();
    const controller = new AbortController();
    this.probeController = controller;
    this.probing = true;
    this.probeError = null;
    this.probeProgress = null;
    try {
      const cells = await this.host.request('sweeps/probe', { spec }, { signal: controller.signal, onProgress: (p) => (this.probeProgress = p) });
      if (!controller.signal.aborted && this.result && this.resultFor === specJson) {
        const byKey = new Map(cells.map((c) => [c.cell.key, c]));
        this.result = { ...this.result, cells: this.result.cells.map((c) => byKey.get(c.cell.key) ?? c) };
      }
    } catch (err) {
      if (!controller.signal.aborted) {
        this.probeError = errorMessage(err);
        this.onError(err);
      }
    } finally {
      if (this.probeController === controller) {
        this.probeController = null;
        this.probing = false;
      }
    }
  }

  cancelProbe(): void {
    this.probeController?.abort();
    this.probeController = null;
    this.probing = false;
  }

  async launch(spec: SweepSpec): Promise<SweepRecord | null> {
    this.launching = true;
    this.launchError = null;
    try {
      return await this.host.request('sweeps/create', { spec, launch: true });
    } catch (err) {
      this.launchError = errorMessage(err);
      this.onError(err);
      return null;
    } finally {
      this.launching = false;
    }
  }

  dispose(): void {
    this.latest.cancel();
    this.cancelProbe();
  }
}
