// Migration "run_queue" (src-main/store/migrations/007_run_queue.ts) on a database seeded at the version before it:
// runs gain worker / queue_job / queue_cursor, empty on every existing row; every existing column and row is kept;
// the metrics key that makes duplicate deliveries harmless is still (run_id, name, step).
import type Database from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations/index';
import { migrate, userVersion } from '../../src-main/store/migrations/runner';
import { migration } from '../../src-main/store/migrations/007_run_queue';

const open: Database.Database[] = [];
afterEach(() => { for (const db of open.splice(0)) db.close(); });

const SEED = `
INSERT INTO models (id, name, path, kind, model_type, hidden_size, num_layers, vocab_size, params, has_tokenizer, has_chat_template, dtype, linear_modules_json, created_at)
  VALUES (1, 'tiny', '/m/tiny', 'weights', 'llama', 64, 2, 320, 123456, 1, 0, 'F32', '["q_proj"]', '2025-01-01T00:00:00.000Z');
INSERT INTO sweeps (id, name, spec_json, status, created_at, updated_at) VALUES (1, 'study', '{}', 'running', '2025-01-01T00:00:01.000Z', '2025-01-01T00:00:01.000Z');
INSERT INTO runs (id, sweep_id, cell_key, cell_json, label, spec_json, seed, model_id, status, step, last_loss, updated_at)
  VALUES (1, 1, 'lora|r8', '{}', 'LoRA r=8', '{}', 42, 1, 'running', 7, 0.5, '2025-01-01T00:00:02.000Z');
INSERT INTO runs (id, sweep_id, cell_key, cell_json, label, spec_json, seed, model_id, status, step, updated_at)
  VALUES (2, 1, 'lora|r16', '{}', 'LoRA r=16', '{}', 7, 1, 'queued', 0, '2025-01-01T00:00:03.000Z');
INSERT INTO metrics VALUES (1, 'train_loss', 1, 2.5, 0.1, 512);
`;

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

describe('migration run_queue', () => {
  it('adds the queue columns to runs, empty, and keeps every existing row and column', () => {
    const db = new BetterSqlite3(':memory:');
    open.push(db);
    migrate(db, MIGRATIONS.filter((m) => m.version < migration.version), migration.version - 1);
    db.exec(SEED);
    const before = columns(db, 'runs');
    const rowsBefore = db.prepare(`SELECT ${before.join(', ')} FROM runs ORDER BY id`).all();
    expect(before).not.toContain('worker');

    db.transaction(() => migration.up(db))();
    const after = columns(db, 'runs');
    expect(after).toEqual([...before, 'worker', 'queue_job', 'queue_cursor']);
    expect(db.prepare(`SELECT ${before.join(', ')} FROM runs ORDER BY id`).all()).toEqual(rowsBefore);
    expect(db.prepare('SELECT worker, queue_job, queue_cursor FROM runs ORDER BY id').all()).toEqual([
      { worker: null, queue_job: null, queue_cursor: null }, { worker: null, queue_job: null, queue_cursor: null }]);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM runs WHERE queue_job IS NOT NULL AND queue_job = 'run-1-a1'").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('runs_queue_job');
    // A point delivered twice cannot make a second row: the metrics key is (run_id, name, step).
    expect(() => db.exec("INSERT INTO metrics VALUES (1, 'train_loss', 1, 2.5, 0.1, 512)")).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(userVersion(db)).toBeLessThan(migration.version); // the runner, not the migration, sets the version
  });
});
