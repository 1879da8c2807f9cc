// Metric series: one row per (run, metric name, step). Writing the same key again replaces the point, because a
// resumed run re-emits the steps after its last checkpoint. NaN values are stored as NULL and read back as NaN.
// Every write also refreshes the series' min/max buckets (metric-buckets.ts) in the same transaction, so that
// `overview` reads a long series' shape from a few thousand rows instead of all of its points.
import type Database from 'better-sqlite3';
import type { MetricName, MetricPoint } from '../../../src-shared/domain/records';
import type { BucketPoint } from './metric-buckets';
import { createMetricBuckets, shiftOf, TOP_LEVEL } from './metric-buckets';

export type { BucketPoint } from './metric-buckets';

/** A series as a chart's overview needs it: rows ascending by step, how many points it holds, its last step. */
export interface SeriesOverview {
  rows: BucketPoint[];
  total: number;
  lastStep: number | null;
}

export interface MetricRow extends MetricPoint {
  runId: number;
}

export interface MetricsRepo {
  /** Writes the points in one transaction (INSERT OR REPLACE). */
  append(runId: number, points: readonly MetricPoint[]): void;
  /** Writes rows of any runs in one transaction (INSERT OR REPLACE); later duplicates win. */
  appendRows(rows: readonly MetricRow[]): void;
  /** Ascending by step. */
  series(runId: number, name: MetricName): MetricPoint[];
  count(runId: number, name: MetricName): number;
  /** The highest step of any metric of the run, or null when it has none. */
  lastStep(runId: number): number | null;
  /** The point at exactly this step, or null. */
  at(runId: number, name: MetricName, step: number): MetricPoint | null;
  /**
   * Every point when the series holds at most `limit`; otherwise the lowest and highest point of each bucket at
   * the finest level that has at most `limit` buckets over the series' steps, with the first and last points.
   * At most 2 × `limit` + 2 rows whatever the length of the series.
   */
  overview(runId: number, name: MetricName, limit: number): SeriesOverview;
}

interface PointRow { name: MetricName; step: number; value: number | null; epoch: number | null; tokens: number | null }

export function createMetricsRepo(db: Database.Database): MetricsRepo {
  const put = db.prepare<[number, string, number, number, number | null, number | null]>(
    'INSERT OR REPLACE INTO metrics (run_id, name, step, value, epoch, tokens) VALUES (?, ?, ?, ?, ?, ?)');
  const seriesStmt = db.prepare<[number, string], PointRow>(
    'SELECT name, step, value, epoch, tokens FROM metrics WHERE run_id = ? AND name = ? ORDER BY step');
  const countStmt = db.prepare<[number, string], { n: number }>(
    'SELECT COUNT(*) AS n FROM metrics WHERE run_id = ? AND name = ?');
  const lastStepStmt = db.prepare<[number], { s: number | null }>('SELECT MAX(step) AS s FROM metrics WHERE run_id = ?');
  const atStmt = db.prepare<[number, string, number], PointRow>(
    'SELECT name, step, value, epoch, tokens FROM metrics WHERE run_id = ? AND name = ? AND step = ?');
  const rawStmt = db.prepare<[number, string]>('SELECT step, value, epoch, tokens FROM metrics WHERE run_id = ? AND name = ? ORDER BY step').raw(true);
  const firstStmt = db.prepare<[number, string]>('SELECT step, value, epoch, tokens FROM metrics WHERE run_id = ? AND name = ? ORDER BY step LIMIT 1').raw(true);
  const lastStmt = db.prepare<[number, string]>('SELECT step, value, epoch, tokens FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1').raw(true);
  const buckets = createMetricBuckets(db);

  const write = (rows: Iterable<MetricRow>) => {
    const touched = new Map<string, { runId: number; name: MetricName; steps: number[] }>();
    for (const p of rows) {
      put.run(p.runId, p.name, p.step, p.value, p.epoch ?? null, p.tokens ?? null);
      const k = `${p.runId}:${p.name}`;
      let t = touched.get(k);
      if (!t) touched.set(k, (t = { runId: p.runId, name: p.name, steps: [] }));
      t.steps.push(p.step);
    }
    buckets.refresh(touched);
  };
  const append = db.transaction((runId: number, points: readonly MetricPoint[]) => {
    write(points.map((p) => ({ ...p, runId })));
  });
  const appendRows = db.transaction((rows: readonly MetricRow[]) => {
    write(rows);
  });

  function overview(runId: number, name: MetricName, limit: number): SeriesOverview {
    const total = buckets.total(runId, name);
    if (total <= limit) {
      const rows = (rawStmt.all(runId, name) as BucketPoint[]).map(point);
      return { rows, total: rows.length, lastStep: rows.length ? rows[rows.length - 1][0] : null };
    }
    const first = point(firstStmt.get(runId, name) as BucketPoint);
    const last = point(lastStmt.get(runId, name) as BucketPoint);
    let level = 0;
    while (level < TOP_LEVEL && span(first[0], last[0], shiftOf(level)) > limit) level++;
    const rows: BucketPoint[] = [];
    for (const b of buckets.read(runId, name, level)) {
      if (b.lo[0] === b.hi[0]) rows.push(b.lo);
      else if (b.lo[0] < b.hi[0]) rows.push(b.lo, b.hi);
      else rows.push(b.hi, b.lo);
    }
    if (rows.length === 0 || rows[0][0] > first[0]) rows.unshift(first);
    if (rows[rows.length - 1][0] < last[0]) rows.push(last);
    return { rows, total, lastStep: last[0] };
  }

  return {
    append: (runId, points) => { append(runId, points); },
    appendRows: (rows) => { appendRows(rows); },
    series: (runId, name) => seriesStmt.all(runId, name).map((r) => ({ ...r, value: r.value ?? NaN })),
    count: (runId, name) => (countStmt.get(runId, name) as { n: number }).n,
    lastStep: (runId) => (lastStepStmt.get(runId) as { s: number | null }).s,
    at: (runId, name, step) => {
      const r = atStmt.get(runId, name, step);
      return r ? { ...r, value: r.value ?? NaN } : null;
    },
    overview,
  };
}

/** A raw row with NULL (a stored NaN) read back as NaN. */
function point(r: BucketPoint): BucketPoint {
  if (r[1] === null) r[1] = NaN;
  return r;
}

/** How many buckets of width 2^shift the steps first..last cover. */
function span(first: number, last: number, shift: number): number {
  const w = 2 ** shift;
  return Math.floor(last / w) - Math.floor(first / w) + 1;
}
