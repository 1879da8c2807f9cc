// Metric series of a set of runs, as the charts need them: first paged from the host ('metrics/series', at most
// `maxPoints` per series, downsampled by the host beyond that), then grown by the 'run/metrics' points the host
// pushes. A series that grows past `maxPoints` × 1.25 is fetched again, downsampled, so the renderer never holds
// every point of a long run. Points that arrive while a fetch is in flight are kept and merged after it.
// A chart that opens before its runs are listed can ask for a whole sweep's series at once (prefetchSweep), one
// round trip earlier; setRuns then waits for that answer instead of asking again.
// Plain TypeScript (no runes): the reactive wrapper is state/live-series.svelte.ts.
import type { MetricSeries } from '../../src-shared/protocol/api';
import type { MetricName, MetricPoint } from '../../src-shared/domain/records';
import type { Host } from './host';

/** [step, value, epoch, tokens] */
export type MetricRow = MetricSeries['points'][number];

interface Entry {
  rows: MetricRow[];
  /** Points the host holds for this series (rows may be a downsampled subset). */
  total: number;
  loading: boolean;
  /** Pushed points received while loading. */
  buffered: MetricRow[];
}

export interface SeriesStoreOptions {
  maxPoints?: number;
  onChange?: () => void;
  onError?: (err: unknown) => void;
}

const EMPTY: readonly MetricRow[] = Object.freeze([]);

export class SeriesStore {
  readonly maxPoints: number;
  private readonly entries = new Map<string, Entry>();
  private runIds: number[] = [];
  /** The answer to prefetchSweep while it is awaited, and the points pushed meanwhile (runs not yet known). */
  private prefetch: { done: Promise<void>; pushed: [number, MetricPoint[]][] } | null = null;
  /** Number of series re-fetched because they outgrew maxPoints (for tests and diagnostics). */
  refetches = 0;

  constructor(
    private readonly host: Host,
    readonly names: readonly MetricName[],
    private readonly options: SeriesStoreOptions = {},
  ) {
    this.maxPoints = options.maxPoints ?? 1000;
  }

  get runs(): readonly number[] {
    return this.runIds;
  }

  rows(runId: number, name: MetricName): readonly MetricRow[] {
    return this.entries.get(key(runId, name))?.rows ?? EMPTY;
  }

  /** Points held in memory over all series. */
  heldPoints(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.rows.length;
    return n;
  }

  /**
   * Follows every run of the sweep, fetched in one request before the runs are known to the caller. Does nothing
   * when runs are already followed. A setRuns meanwhile waits for this answer and fetches only runs it lacks.
   */
  prefetchSweep(sweepId: number): Promise<void> {
    if (this.prefetch) return this.prefetch.done;
    if (this.runIds.length > 0) return Promise.resolve();
    const pushed: [number, MetricPoint[]][] = [];
    const done = (async () => {
      let result: MetricSeries[] = [];
      try {
        result = await this.host.request('metrics/series', { sweepId, names: [...this.names], maxPoints: this.maxPoints });
      } catch (err) {
        this.options.onError?.(err);
      }
      this.prefetch = null;
      const ids = [...new Set(result.map((s) => s.runId))].filter((id) => !this.runIds.includes(id));
      this.runIds = [...this.runIds, ...ids];
      for (const s of result) {
        if (!ids.includes(s.runId)) continue;
        const e = this.entry(s.runId, s.name);
        e.rows = s.points.slice();
        e.total = s.total;
      }
      for (const [runId, points] of pushed) this.receive(runId, points);
      this.options.onChange?.();
    })();
    this.prefetch = { done, pushed };
    return done;
  }

  /** Follows exactly these runs: fetches the new ones, forgets the ones no longer listed. */
  async setRuns(runIds: readonly number[]): Promise<void> {
    if (this.prefetch) await this.prefetch.done;
    const same = runIds.length === this.runIds.length && runIds.every((id, i) => id === this.runIds[i]);
    const wanted = new Set(runIds);
    for (const k of [...this.entries.keys()]) if (!wanted.has(Number(k.split(':')[0]))) this.entries.delete(k);
    const fresh = runIds.filter((id) => !this.runIds.includes(id));
    this.runIds = [...runIds];
    if (fresh.length > 0) await this.fetch(fresh, this.names);
    else if (!same) this.options.onChange?.(); // the same runs (e.g. those a prefetch found): nothing to redraw
  }

  /** Fetches every followed series again (e.g. after a run resumed and rewrote its history). */
  async reload(runIds: readonly number[] = this.runIds): Promise<void> {
    const ids = runIds.filter((id) => this.runIds.includes(id));
    if (ids.length > 0) await this.fetch(ids, this.names);
  }

  /** Points pushed by the host for one run. */
  receive(runId: number, points: readonly MetricPoint[]): void {
    if (this.prefetch && !this.runIds.includes(runId)) {
      this.prefetch.pushed.push([runId, [...points]]);
      return;
    }
    if (!this.runIds.includes(runId)) return;
    const outgrown = new Set<MetricName>();
    let changed = false;
    for (const p of points) {
      if (!this.names.includes(p.name)) continue;
      const entry = this.entry(runId, p.name);
      const row: MetricRow = [p.step, p.value, p.epoch, p.tokens];
      if (entry.loading) {
        entry.buffered.push(row);
        continue;
      }
      if (appendRow(entry, row)) changed = true;
      if (entry.rows.length > this.maxPoints * 1.25) outgrown.add(p.name);
    }
    if (changed) this.options.onChange?.();
    if (outgrown.size > 0) {
      this.refetches += outgrown.size;
      void this.fetch([runId], [...outgrown]);
    }
  }

  private entry(runId: number, name: MetricName): Entry {
    const k = key(runId, name);
    let e = this.entries.get(k);
    if (!e) this.entries.set(k, (e = { rows: [], total: 0, loading: false, buffered: [] }));
    return e;
  }

  private async fetch(runIds: number[], names: readonly MetricName[]): Promise<void> {
    for (const id of runIds) for (const n of names) this.entry(id, n).loading = true;
    let result: MetricSeries[] = [];
    try {
      result = await this.host.request('metrics/series', { runIds, names: [...names], maxPoints: this.maxPoints });
    } catch (err) {
      this.options.onError?.(err);
    }
    const got = new Map(result.map((s) => [key(s.runId, s.name), s]));
    for (const id of runIds) {
      for (const n of names) {
        const k = key(id, n);
        const e = this.entries.get(k);
        if (!e) continue; // the run was dropped meanwhile
        const s = got.get(k);
        if (s) {
          e.rows = s.points.slice();
          e.total = s.total;
        }
        const buffered = e.buffered;
        e.buffered = [];
        e.loading = false;
        for (const row of buffered) appendRow(e, row);
      }
    }
    this.options.onChange?.();
  }
}

function key(runId: number, name: MetricName): string {
  return `${runId}:${name}`;
}

/** Appends a row past the last step; a row at or before it (a resumed run repeating steps) replaces the tail. */
function appendRow(e: Entry, row: MetricRow): boolean {
  const last = e.rows.length > 0 ? e.rows[e.rows.length - 1][0] : -Infinity;
  if (row[0] > last) {
    e.rows.push(row);
    e.total += 1;
    return true;
  }
  const at = e.rows.findIndex((r) => r[0] >= row[0]);
  if (at < 0) return false;
  e.rows.splice(at, e.rows.length - at, row);
  return true;
}
