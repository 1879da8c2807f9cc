// Sweeps and their runs, kept live by the host's 'sweep/updated' and 'run/updated' events. Runs are loaded per
// sweep when a sweep is opened; an event never replaces a record with an older one.
import type { RunRecord, SweepRecord } from '../../src-shared/domain/records';
import type { Host } from '../lib/host';

function newer<T extends { updatedAt: string }>(incoming: T, existing: T | undefined): boolean {
  return !existing || incoming.updatedAt >= existing.updatedAt;
}

export class RunsState {
  sweeps = $state.raw<SweepRecord[]>([]);
  runsBySweep = $state.raw<ReadonlyMap<number, RunRecord[]>>(new Map());
  loaded = $state(false);
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
  ) {
    this.unsubscribe = [host.on('run/updated', (r) => this.upsertRun(r)), host.on('sweep/updated', (s) => this.upsertSweep(s))];
  }

  async load(): Promise<void> {
    try {
      const list = await this.host.request('sweeps/list', {});
      this.sweeps = [...list].sort((a, b) => b.id - a.id);
    } catch (err) {
      this.onError(err);
    }
    this.loaded = true;
  }

  async loadSweep(id: number): Promise<void> {
    try {
      const { sweep, runs } = await this.host.request('sweeps/get', { id });
      this.upsertSweep(sweep);
      const map = new Map(this.runsBySweep);
      map.set(id, [...runs].sort((a, b) => a.id - b.id));
      this.runsBySweep = map;
    } catch (err) {
      this.onError(err);
    }
  }

  sweep(id: number | null): SweepRecord | undefined {
    return this.sweeps.find((s) => s.id === id);
  }

  runsOf(sweepId: number): RunRecord[] {
    return this.runsBySweep.get(sweepId) ?? [];
  }

  adopt(sweep: SweepRecord): void {
    this.upsertSweep(sweep);
  }

  async act(action: 'runs/stop' | 'runs/resume', id: number): Promise<void> {
    try {
      this.upsertRun(await this.host.request(action, { id }));
    } catch (err) {
      this.onError(err);
      throw err;
    }
  }

  async actOnSweep(action: 'sweeps/stop' | 'sweeps/launch', id: number): Promise<void> {
    try {
      this.upsertSweep(await this.host.request(action, { id }));
    } catch (err) {
      this.onError(err);
      throw err;
    }
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
  }

  private upsertSweep(s: SweepRecord): void {
    const existing = this.sweeps.find((x) => x.id === s.id);
    if (!newer(s, existing)) return;
    this.sweeps = existing ? this.sweeps.map((x) => (x.id === s.id ? s : x)) : [s, ...this.sweeps].sort((a, b) => b.id - a.id);
  }

  private upsertRun(r: RunRecord): void {
    const runs = this.runsBySweep.get(r.sweepId);
    if (!runs) return;
    const existing = runs.find((x) => x.id === r.id);
    if (!newer(r, existing)) return;
    const next = existing ? runs.map((x) => (x.id === r.id ? r : x)) : [...runs, r].sort((a, b) => a.id - b.id);
    const map = new Map(this.runsBySweep);
    map.set(r.sweepId, next);
    this.runsBySweep = map;
  }
}
