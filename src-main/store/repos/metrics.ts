// Metric series: one row per (run, metric name, step). Writing the same key again replaces the point, because a
// resumed run re-emits the steps after its last checkpoint. NaN values are stored as NULL and read back as NaN.
import type Database from 'better-sqlite3';
import type { MetricName, MetricPoint } from '../../../src-shared/domain/records';

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

  const append = db.transaction((runId: number, points: readonly MetricPoint[]) => {
    for (const p of points) put.run(runId, p.name, p.step, p.value, p.epoch ?? null, p.tokens ?? null);
  });
  const appendRows = db.transaction((rows: readonly MetricRow[]) => {
    for (const p of rows) put.run(p.runId, p.name, p.step, p.value, p.epoch ?? null, p.tokens ?? null);
  });

  return {
    append: (runId, points) => { append(runId, points); },
    appendRows: (rows) => { appendRows(rows); },
    series: (runId, name) => seriesStmt.all(runId, name).map((r) => ({ ...r, value: r.value ?? NaN })),
    count: (runId, name) => (countStmt.get(runId, name) as { n: number }).n,
    lastStep: (runId) => (lastStepStmt.get(runId) as { s: number | null }).s,
  };
}
