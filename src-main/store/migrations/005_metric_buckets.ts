// Migration 5: min/max buckets over every metric series (repos/metric-buckets.ts keeps them current), so a chart's
// overview of a run of 100,000 steps reads about a thousand rows instead of every point. Level 0 groups 8 steps
// (bucket = step >> 3), each level above 4 buckets of the one below, up to level 8. Built here from the points
// already stored, with the same choice of low and high point as the repository makes (NULL values last, ties to
// the earlier step).
// Frozen: never edit this file; change the schema with a new migration.
import type Database from 'better-sqlite3';
import type { Migration } from './types';

const SQL = `
CREATE TABLE metric_buckets (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name      TEXT    NOT NULL,
  level     INTEGER NOT NULL,
  bucket    INTEGER NOT NULL,
  n         INTEGER NOT NULL,
  lo_step   INTEGER NOT NULL,
  lo_value  REAL,
  lo_epoch  REAL,
  lo_tokens INTEGER,
  hi_step   INTEGER NOT NULL,
  hi_value  REAL,
  hi_epoch  REAL,
  hi_tokens INTEGER,
  PRIMARY KEY (run_id, name, level, bucket)
) WITHOUT ROWID;
`;

const LEVELS = 9;

/** The low (or high) point of each bucket at `level`, chosen among `rows` (a FROM … WHERE correlated to it). */
function pick(rows: string, cols: string, dir: 'ASC' | 'DESC'): string {
  return `(SELECT ${cols} ${rows} ORDER BY v IS NULL, v ${dir}, s LIMIT 1)`;
}

function buildLevel(db: Database.Database, level: number): void {
  const b = 'metric_buckets';
  if (level === 0) {
    db.exec(`INSERT INTO ${b} (run_id, name, level, bucket, n, lo_step, hi_step)
      SELECT run_id, name, 0, step >> 3, count(*), 0, 0 FROM metrics GROUP BY run_id, name, step >> 3`);
    const rows = `FROM metrics m WHERE m.run_id = ${b}.run_id AND m.name = ${b}.name AND m.step BETWEEN ${b}.bucket * 8 AND ${b}.bucket * 8 + 7`;
    const cols = 'm.step AS s, m.value AS v, m.epoch, m.tokens';
    db.exec(`UPDATE ${b} SET (lo_step, lo_value, lo_epoch, lo_tokens) = ${pick(rows, cols, 'ASC')},
      (hi_step, hi_value, hi_epoch, hi_tokens) = ${pick(rows, cols, 'DESC')} WHERE level = 0`);
    return;
  }
  db.exec(`INSERT INTO ${b} (run_id, name, level, bucket, n, lo_step, hi_step)
    SELECT run_id, name, ${level}, bucket >> 2, sum(n), 0, 0 FROM ${b} WHERE level = ${level - 1} GROUP BY run_id, name, bucket >> 2`);
  const rows = `FROM ${b} c WHERE c.run_id = ${b}.run_id AND c.name = ${b}.name AND c.level = ${level - 1} AND c.bucket BETWEEN ${b}.bucket * 4 AND ${b}.bucket * 4 + 3`;
  db.exec(`UPDATE ${b} SET
    (lo_step, lo_value, lo_epoch, lo_tokens) = ${pick(rows, 'c.lo_step AS s, c.lo_value AS v, c.lo_epoch, c.lo_tokens', 'ASC')},
    (hi_step, hi_value, hi_epoch, hi_tokens) = ${pick(rows, 'c.hi_step AS s, c.hi_value AS v, c.hi_epoch, c.hi_tokens', 'DESC')}
    WHERE level = ${level}`);
}

export const migration: Migration = {
  version: 5,
  name: 'metric_buckets',
  up(db: Database.Database): void {
    db.exec(SQL);
    for (let level = 0; level < LEVELS; level++) buildLevel(db, level);
  },
};
