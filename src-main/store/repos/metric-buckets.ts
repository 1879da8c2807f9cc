// A pyramid of min/max summaries over every metric series, so a chart's overview of a long run reads a few
// thousand rows instead of every point. Level 0 groups 8 consecutive steps (bucket = step >> 3); each level above
// groups 4 buckets of the level below (bucket = step >> (3 + 2·level)), up to level 8 (524,288 steps). A bucket
// keeps how many points it holds and its lowest and highest point (step, value, epoch, tokens; ties go to the
// earlier step, NULL values (NaN) only when the bucket has nothing else), which is what a line chart needs to
// draw the same envelope as the raw series (the M4 idea, Jugel et al., VLDB 2014).
// Kept in step with `metrics` by the metrics repository, in the same transaction as every write: the buckets a
// write touched are recomputed from the rows below them (level 0 from metrics, level L from level L-1), so a
// resumed run rewriting steps leaves correct summaries. Migration 5 built them for stores written before.
import type Database from 'better-sqlite3';
import type { MetricName } from '../../../src-shared/domain/records';

export const BASE_SHIFT = 3;
export const LEVEL_SHIFT = 2;
export const TOP_LEVEL = 8;

/** log2 of the width in steps of a bucket at `level`. */
export function shiftOf(level: number): number {
  return BASE_SHIFT + LEVEL_SHIFT * level;
}

/** [step, value (NaN for NULL), epoch, tokens] */
export type BucketPoint = [number, number, number | null, number | null];

export interface Bucket {
  bucket: number;
  n: number;
  lo: BucketPoint;
  hi: BucketPoint;
}

export interface MetricBuckets {
  /** Recomputes, at every level, the buckets that hold these steps of these series (inside the caller's transaction). */
  refresh(touched: ReadonlyMap<string, { runId: number; name: MetricName; steps: Iterable<number> }>): void;
  /** Every bucket of one series at one level, ascending. */
  read(runId: number, name: MetricName, level: number): Bucket[];
  /** How many points the series holds (from its top-level buckets). */
  total(runId: number, name: MetricName): number;
}

type BucketRow = [number, number, number, number | null, number | null, number | null, number, number | null, number | null, number | null];

const COLS = 'run_id, name, level, bucket, n, lo_step, lo_value, lo_epoch, lo_tokens, hi_step, hi_value, hi_epoch, hi_tokens';

/** The INSERT that summarises one bucket from its source rows: `rows` is the FROM … WHERE that selects them. */
function summarise(rows: string, count: string, point: (end: 'lo' | 'hi') => string): string {
  return `INSERT INTO metric_buckets (${COLS})
    SELECT @run, @name, @level, @bucket, c.n, l.s, l.v, l.e, l.t, h.s, h.v, h.e, h.t
    FROM (SELECT ${count} AS n ${rows}) AS c,
         (SELECT ${point('lo')} ${rows} ORDER BY v IS NULL, v, s LIMIT 1) AS l,
         (SELECT ${point('hi')} ${rows} ORDER BY v IS NULL, v DESC, s LIMIT 1) AS h
    WHERE c.n > 0`;
}

export function createMetricBuckets(db: Database.Database): MetricBuckets {
  const remove = db.prepare('DELETE FROM metric_buckets WHERE run_id = @run AND name = @name AND level = @level AND bucket = @bucket');
  // Level 0 from the points of its steps; level L from its 4 buckets at level L - 1 (their lows for the low, highs for the high).
  const fromMetrics = db.prepare(summarise('FROM metrics WHERE run_id = @run AND name = @name AND step BETWEEN @from AND @to',
    'count(*)', () => 'step AS s, value AS v, epoch AS e, tokens AS t'));
  const fromBelow = db.prepare(summarise(
    'FROM metric_buckets WHERE run_id = @run AND name = @name AND level = @level - 1 AND bucket BETWEEN @from AND @to',
    'sum(n)', (p) => `${p}_step AS s, ${p}_value AS v, ${p}_epoch AS e, ${p}_tokens AS t`));
  const readLevel = db.prepare<[number, string, number]>(
    `SELECT bucket, n, lo_step, lo_value, lo_epoch, lo_tokens, hi_step, hi_value, hi_epoch, hi_tokens FROM metric_buckets
     WHERE run_id = ? AND name = ? AND level = ? ORDER BY bucket`).raw(true);
  const totalStmt = db.prepare<[number, string, number], { n: number | null }>(
    'SELECT sum(n) AS n FROM metric_buckets WHERE run_id = ? AND name = ? AND level = ?');

  function refreshSeries(run: number, name: string, steps: Iterable<number>): void {
    let buckets = new Set<number>();
    for (const s of steps) buckets.add(Math.floor(s / (1 << BASE_SHIFT)));
    for (let level = 0; level <= TOP_LEVEL; level++) {
      const stmt = level === 0 ? fromMetrics : fromBelow;
      // Source key range of a bucket: steps at level 0, the 4 child buckets above it.
      const width = level === 0 ? 1 << BASE_SHIFT : 1 << LEVEL_SHIFT;
      for (const bucket of buckets) {
        const params = { run, name, level, bucket, from: bucket * width, to: bucket * width + width - 1 };
        remove.run(params);
        stmt.run(params);
      }
      const parents = new Set<number>();
      for (const b of buckets) parents.add(Math.floor(b / (1 << LEVEL_SHIFT)));
      buckets = parents;
    }
  }

  return {
    refresh(touched) {
      for (const { runId, name, steps } of touched.values()) refreshSeries(runId, name, steps);
    },
    read(runId, name, level) {
      return (readLevel.all(runId, name, level) as BucketRow[]).map((r) => ({
        bucket: r[0], n: r[1], lo: [r[2], r[3] ?? NaN, r[4], r[5]], hi: [r[6], r[7] ?? NaN, r[8], r[9]],
      }));
    },
    total: (runId, name) => (totalStmt.get(runId, name, TOP_LEVEL) as { n: number | null }).n ?? 0,
  };
}
