// Batches metric points on their way into SQLite: a worker reports a point per step (several metrics, several runs
// at once), and one transaction per point would cost a WAL commit each. Points wait at most `flushMs` (or until
// `maxRows` are pending) and are then written in one transaction. Everything pushed before flush() or close()
// returns is on disk when it returns.
import type { MetricPoint } from '../../src-shared/domain/records';
import type { MetricRow, MetricsRepo } from './repos/metrics';

export interface MetricWriterOptions {
  /** Longest time a pushed point waits before it is written (default 250 ms). */
  flushMs?: number;
  /** Write at once when this many rows are pending (default 500). */
  maxRows?: number;
  /** Called when the points of a run could not be written (e.g. the run was deleted); they are dropped. */
  onError?: (err: unknown, runId: number, dropped: number) => void;
}

/** Where rows go: the metrics repository (or anything with its appendRows, one transaction per call). */
export type MetricSink = Pick<MetricsRepo, 'appendRows'>;

export class MetricWriter {
  private pending: MetricRow[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxRows: number;
  private readonly onError: NonNullable<MetricWriterOptions['onError']>;

  private readonly sink: MetricSink;

  /** `target`: the store (its metrics repository is used) or a sink. */
  constructor(target: MetricSink | { readonly metrics: MetricSink }, options: MetricWriterOptions = {}) {
    this.sink = 'metrics' in target ? target.metrics : target;
    this.flushMs = options.flushMs ?? 250;
    this.maxRows = options.maxRows ?? 500;
    this.onError = options.onError ?? ((err, runId, dropped) => {
      console.error(`metric writer: dropped ${dropped} point(s) of run ${runId}:`, err);
    });
  }

  /** Rows waiting to be written. */
  get pendingRows(): number {
    return this.pending.length;
  }

  push(runId: number, points: readonly MetricPoint[]): void {
    if (this.closed) throw new Error('MetricWriter.push after close()');
    for (const p of points) this.pending.push({ ...p, runId });
    if (this.pending.length >= this.maxRows) this.flush();
    else if (this.pending.length > 0 && this.timer === null) {
      this.timer = setTimeout(() => { this.timer = null; this.flush(); }, this.flushMs);
    }
  }

  /** Writes every pending row now, in one transaction (per run only when a combined write fails). */
  flush(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.sink.appendRows(rows);
    } catch {
      this.flushPerRun(rows);
    }
  }

  /** Flushes and stops accepting points. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  // One bad run (deleted meanwhile) must not cost the other runs their points.
  private flushPerRun(rows: MetricRow[]): void {
    const byRun = new Map<number, MetricRow[]>();
    for (const r of rows) {
      const list = byRun.get(r.runId);
      if (list) list.push(r);
      else byRun.set(r.runId, [r]);
    }
    for (const [runId, list] of byRun) {
      try {
        this.sink.appendRows(list);
      } catch (err) {
        this.onError(err, runId, list.length);
      }
    }
  }
}
