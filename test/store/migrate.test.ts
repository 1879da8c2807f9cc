// Migrations: an empty file reaches the latest schema; for every migration N, a database at N-1 seeded by hand in
// every table migrates to N with every row intact; a failing migration rolls back.
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PeftLabError } from '../../src-shared/errors';
import { openStore } from '../../src-main/store/db';
import { LATEST_VERSION, MIGRATIONS } from '../../src-main/store/migrations/index';
import { checkMigrationList, migrate, userVersion } from '../../src-main/store/migrations/runner';
import type { MetricRow } from '../../src-main/store/repos/metrics';
import { tempDir } from './fixtures';

const open: Database.Database[] = [];
function rawDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  open.push(db);
  return db;
}
afterEach(() => { for (const db of open.splice(0)) if (db.open) db.close(); });
/** The versions an open applies to a database at version `from - 1`: `from` up to the latest. */
const versionsFrom = (from: number): number[] => MIGRATIONS.map((m) => m.version).filter((v) => v >= from);

function names(db: Database.Database, type: 'table' | 'index' | 'trigger'): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all(type) as { name: string }[]).map((r) => r.name);
}
function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}
/** The rows of a table, restricted to `cols` (the columns it had before a migration added some). */
function rows(db: Database.Database, table: string, cols = columns(db, table)): unknown[] {
  return db.prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY 1, 2, 3`).all();
}

// The schema at version 1, seeded by hand: every table, NULLs in every nullable column of some row, JSON columns.
const SEED_V1 = `
INSERT INTO models VALUES (1, 'tiny', '/m/tiny', 'weights', 'llama', 64, 2, 320, 123456, 1, 0, 'F32', '["q_proj","v_proj"]', '2025-01-01T00:00:00.000Z');
INSERT INTO models VALUES (2, 'card', '/m/card', 'config', 'llama', 4096, 32, 32000, 6738415616, 0, 1, NULL, '[]', '2025-01-01T00:00:01.000Z');
INSERT INTO datasets VALUES (1, 'alpaca', '/d/a.jsonl', 'jsonl', 'ab12', 200, '["instruction","output"]', 5000, '2025-01-01T00:00:02.000Z');
INSERT INTO sweeps VALUES (1, 'study', '{"name":"study","axes":{"r":[8,16]}}', 'running', '2025-01-01T00:00:03.000Z', '2025-01-01T00:00:04.000Z');
INSERT INTO runs VALUES (1, 1, 'lora|r8', '{"key":"lora|r8","r":8}', 'LoRA r=8', '{"method":"lora"}', 42, 1, 1, 'ab12',
  '{instruction}', 'finished', NULL, 'cpu', 'x86_64', '{"tfjs":"4.22.0"}', 4096, 127552, 1048576, 20, 20, 1.5, 0.75,
  0.8, 123.5, 0, '/out/1', NULL, '2025-01-01T00:00:05.000Z', '2025-01-01T00:00:06.000Z', '2025-01-01T00:00:07.000Z',
  '2025-01-01T00:00:07.000Z');
INSERT INTO runs VALUES (2, 1, 'lora|r16', '{"key":"lora|r16","r":16}', 'LoRA r=16', '{}', 7, 2, NULL, NULL,
  NULL, 'failed', 'loss became NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3, NULL, NULL,
  NULL, NULL, NULL, NULL, '{"name":"PeftLabError","code":"NAN_LOSS","message":"nan"}', NULL, NULL, NULL,
  '2025-01-01T00:00:08.000Z');
INSERT INTO metrics VALUES (1, 'train_loss', 1, 2.5, 0.1, 512);
INSERT INTO metrics VALUES (1, 'train_loss', 2, 2.25, NULL, NULL);
INSERT INTO metrics VALUES (2, 'train_loss', 3, NULL, 0.3, 1536);
INSERT INTO artifacts VALUES (1, 1, 'adapter', NULL, '/out/1/adapter', 16384, '2025-01-01T00:00:09.000Z');
INSERT INTO run_events VALUES (1, 1, '2025-01-01T00:00:10.000Z', 'finished', '{"steps":20}');
INSERT INTO settings VALUES ('concurrency', '2', '2025-01-01T00:00:11.000Z');
`;

// Version 2 adds the review tables: a base-model sample (run_id NULL) and a run's sample, a rating, notes, a tag.
const SEED_V2 = `${SEED_V1}
INSERT INTO samples VALUES (1, NULL, 1, 'p1', 'Define lucid.', 'clear', NULL, '{"greedy":true}', 50.5, 3, '2025-01-02T00:00:00.000Z');
INSERT INTO samples VALUES (2, 1, 1, 'p1', 'Define lucid.', 'easily understood', 20, '{"greedy":true}', NULL, NULL, '2025-01-02T00:00:01.000Z');
INSERT INTO ratings VALUES (1, 2, 4, '["truncated"]', 'good', '2025-01-02T00:00:02.000Z', '2025-01-02T00:00:03.000Z');
INSERT INTO notes VALUES (1, 'run', 1, 'best so far', '2025-01-02T00:00:04.000Z');
INSERT INTO tags VALUES (1, 1, 'baseline', '2025-01-02T00:00:05.000Z');
`;

// Version 3 adds the measured base storage of runs (the version-1 run rows name their columns from here on).
const RUN_COLUMNS_V1 = `id, sweep_id, cell_key, cell_json, label, spec_json, seed, model_id, dataset_id, dataset_sha256, template_text,
  status, status_reason, backend, device, library_versions_json, trainable_params, all_params, peak_memory_bytes, max_steps,
  step, epoch, last_loss, val_loss, tokens_per_second, eta_seconds, output_dir, error_json, queued_at, started_at, finished_at,
  updated_at`;
const SEED_V3 = `${SEED_V2.replace(/INSERT INTO runs VALUES/g, `INSERT INTO runs (${RUN_COLUMNS_V1}) VALUES`)}
UPDATE runs SET base_format = 'nf4+dq', base_weight_bytes = 123456, base_bits_per_weight = 4.127 WHERE id = 1;
`;

// Version 4 adds review prompts, judgements and a sweep's review settings (sweep rows name their columns from here on).
const SEED_V4 = `${SEED_V3.replace(/INSERT INTO sweeps VALUES/g, 'INSERT INTO sweeps (id, name, spec_json, status, created_at, updated_at) VALUES')}
INSERT INTO review_prompts VALUES (1, 1, 0, 'Define lucid.', '{"instruction":"Define lucid."}', 'clear', 'validation', '2025-01-03T00:00:00.000Z');
INSERT INTO judgements VALUES (1, 1, 'p1', 1, 2, 'tie', 'ann', NULL, '2025-01-03T00:00:01.000Z');
UPDATE sweeps SET review_json = '{"greedy":true}' WHERE id = 1;
`;

// Version 5 adds min/max metric buckets (filled here as the metric writer would for run 1's single point).
const SEED_V5 = `${SEED_V4}
INSERT INTO metric_buckets (run_id, name, level, bucket, n, lo_step, lo_value, lo_epoch, lo_tokens, hi_step, hi_value, hi_epoch, hi_tokens)
  SELECT run_id, name, 0, step, 1, step, value, epoch, tokens, step, value, epoch, tokens FROM metrics WHERE run_id = 1 LIMIT 1;
`;

// Version 6 adds the model library's facts (model rows name their columns from here on).
const SEED_V6 = `${SEED_V5.replace(/INSERT INTO models VALUES/g, `INSERT INTO models (id, name, path, kind, model_type, hidden_size, num_layers,
  vocab_size, params, has_tokenizer, has_chat_template, dtype, linear_modules_json, created_at) VALUES`)}
UPDATE models SET quantization = 'none', disk_bytes = 4096, source_json = '{"repo":"o/tiny","revision":"main"}',
  fingerprint_json = '{"files":[]}' WHERE id = 1;
`;

/** One row per migration N: SQL that fills every table of version N-1. */
const CASES: { version: number; seed: string }[] = [
  { version: 1, seed: '' },
  { version: 2, seed: SEED_V1 },
  { version: 3, seed: SEED_V2 },
  { version: 4, seed: SEED_V3 },
  { version: 5, seed: SEED_V4 },
  { version: 6, seed: SEED_V5 },
  { version: 7, seed: SEED_V6 },
];

/** Tables a migration fills from existing rows (derived data, checked by that migration's own test). */
const DERIVED: Record<number, string[]> = { 5: ['metric_buckets'] };

describe('migrations', () => {
  it('are numbered 1..n in order, and each has a seeded upgrade case below', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(MIGRATIONS.map((m) => m.name)).toEqual(['init', 'review', 'run_base', 'review_study', 'metric_buckets', 'model_library', 'run_queue']);
    expect(LATEST_VERSION).toBe(7);
    expect(CASES.map((c) => c.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(() => checkMigrationList([MIGRATIONS[1], MIGRATIONS[0]])).toThrow(/out of order/);
  });

  it('bring an empty file to the latest schema', () => {
    const file = path.join(tempDir(), 'store.db');
    const store = openStore(file);
    const db = store.db;
    expect(store.migrationsApplied).toEqual(versionsFrom(1));
    expect(userVersion(db)).toBe(7);
    expect(db.pragma('application_id', { simple: true })).toBe(1346717260); // "PEFL" = 0x50 45 46 4C
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(names(db, 'table')).toEqual(['artifacts', 'datasets', 'judgements', 'metric_buckets', 'metrics', 'models', 'notes', 'ratings',
      'review_prompts', 'run_events', 'runs', 'samples', 'settings', 'sweeps', 'tags']);
    expect(names(db, 'index')).toEqual(['artifacts_run', 'judgements_sweep', 'notes_target', 'review_prompts_sweep', 'run_events_run',
      'runs_dataset', 'runs_model', 'runs_queue_job', 'runs_status_id', 'runs_sweep_status', 'samples_run', 'samples_sweep_prompt', 'tags_tag']);
    expect(names(db, 'trigger')).toEqual(['notes_of_deleted_run', 'notes_of_deleted_sample', 'notes_of_deleted_sweep']);
    const tables = db.pragma('table_list') as { name: string; wr: number }[];
    expect(tables.find((t) => t.name === 'metrics')?.wr).toBe(1); // WITHOUT ROWID
    expect(tables.find((t) => t.name === 'metric_buckets')?.wr).toBe(1);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('serve the store queries from indexes', () => {
    const store = openStore(':memory:');
    const plan = (sql: string) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((r) => r.detail).join('; ');
    expect(plan("SELECT * FROM runs WHERE status = 'queued' ORDER BY id LIMIT 1")).toMatch(/USING INDEX runs_status_id/);
    expect(plan('SELECT * FROM runs WHERE sweep_id = 1 ORDER BY id')).toMatch(/USING INDEX/);
    expect(plan("SELECT * FROM metrics WHERE run_id = 1 AND name = 'lr' ORDER BY step")).toMatch(/USING PRIMARY KEY/);
    expect(plan("SELECT * FROM metric_buckets WHERE run_id = 1 AND name = 'lr' AND level = 2 ORDER BY bucket")).toMatch(/USING PRIMARY KEY/);
    expect(plan("SELECT * FROM metric_buckets WHERE run_id = 1 AND name = 'lr' AND level = 1 AND bucket BETWEEN 4 AND 7")).toMatch(/USING PRIMARY KEY/);
    expect(plan('SELECT * FROM run_events WHERE run_id = 1 ORDER BY id DESC LIMIT 5')).toMatch(/USING INDEX run_events_run/);
    expect(plan('SELECT COUNT(*) FROM runs WHERE model_id = 1')).toMatch(/runs_model/);
    store.close();
  });

  for (const { version, seed } of CASES) {
    it(`${version}: a database at version ${version - 1} with a row in every table keeps every row`, () => {
      const db = rawDb(path.join(tempDir(), 'store.db'));
      migrate(db, MIGRATIONS, version - 1);
      expect(userVersion(db)).toBe(version - 1);
      db.exec(seed);
      const before = names(db, 'table');
      for (const t of before) expect(rows(db, t).length, `seed fills ${t}`).toBeGreaterThan(0);
      const cols = Object.fromEntries(before.map((t) => [t, columns(db, t)]));
      const snapshot = Object.fromEntries(before.map((t) => [t, rows(db, t)]));

      expect(migrate(db, MIGRATIONS, version)).toEqual([version]);
      expect(userVersion(db)).toBe(version);
      for (const t of before) expect(rows(db, t, cols[t]), t).toEqual(snapshot[t]);
      for (const t of before) for (const c of columns(db, t).filter((c) => !cols[t].includes(c))) {
        expect(db.prepare(`SELECT COUNT(*) n FROM ${t} WHERE ${c} IS NOT NULL`).get(), `${t}.${c} starts empty`).toEqual({ n: 0 });
      }
      for (const t of names(db, 'table').filter((n) => !before.includes(n) && !(DERIVED[version] ?? []).includes(n))) expect(rows(db, t), t).toEqual([]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  }

  it('2: version-1 rows read back through the repositories with their values', () => {
    const file = path.join(tempDir(), 'store.db');
    const db = rawDb(file);
    migrate(db, MIGRATIONS, 1);
    db.exec(SEED_V1);
    db.close();
    const store = openStore(file);
    expect(store.migrationsApplied).toEqual(versionsFrom(2));
    expect(store.models.get(2)).toMatchObject({ kind: 'config', params: 6738415616, hasTokenizer: false, hasChatTemplate: true, dtype: null, linearModules: [] });
    const run = store.runs.detail(1);
    expect(run).toMatchObject({ status: 'finished', epoch: 1.5, lastLoss: 0.75, etaSeconds: 0, libraryVersions: { tfjs: '4.22.0' },
      spec: { method: 'lora' }, cell: { key: 'lora|r8', r: 8 }, datasetSha256: 'ab12', error: null, outputDir: '/out/1' });
    expect(run?.artifacts).toEqual([{ id: 1, runId: 1, kind: 'adapter', step: null, path: '/out/1/adapter', bytes: 16384,
      createdAt: '2025-01-01T00:00:09.000Z' }]);
    expect(store.runs.get(2)).toMatchObject({ status: 'failed', statusReason: 'loss became NaN', step: 3, maxSteps: null,
      error: { name: 'PeftLabError', code: 'NAN_LOSS', message: 'nan' } });
    expect(store.metrics.series(2, 'train_loss')).toEqual([{ name: 'train_loss', step: 3, value: NaN, epoch: 0.3, tokens: 1536 }]);
    expect(store.settings.get('concurrency', 1)).toBe(2);
    expect(store.sweeps.get(1)?.counts).toEqual({ queued: 0, running: 0, finished: 1, failed: 1, interrupted: 0, stopped: 0 });
    store.close();
  });

  it('roll back a migration that fails and leave the version where it was', () => {
    const db = rawDb(':memory:');
    const broken = { version: 2, name: 'broken', up: (d: Database.Database) => { d.exec('CREATE TABLE half (a); SELECT * FROM nowhere'); } };
    expect(() => migrate(db, [MIGRATIONS[0], broken])).toThrow(PeftLabError);
    expect(() => migrate(db, [MIGRATIONS[0], broken])).toThrow(/version 2 \(broken\).*left at version 1/);
    expect(userVersion(db)).toBe(1);
    expect(names(db, 'table')).not.toContain('half');
  });
});

describe('migration 3 (run base storage)', () => {
  it('reads version-2 runs with no base figures, then stores and reads them back', () => {
    const file = path.join(tempDir(), 'store.db');
    const db = rawDb(file);
    migrate(db, MIGRATIONS, 2);
    db.exec(SEED_V2);
    db.close();
    const store = openStore(file);
    expect(store.migrationsApplied).toEqual(versionsFrom(3));
    expect(store.runs.get(1)).toMatchObject({ status: 'finished', baseFormat: null, baseWeightBytes: null, baseBitsPerWeight: null });
    const updated = store.runs.update(1, { baseFormat: 'nf4+dq', baseWeightBytes: 123456, baseBitsPerWeight: 4.126953125 });
    expect(updated).toMatchObject({ baseFormat: 'nf4+dq', baseWeightBytes: 123456, baseBitsPerWeight: 4.126953125, lastLoss: 0.75 });
    store.close();
  });
});

describe('migration 4 (review prompts, judgements, review settings, optional scores)', () => {
  it('keeps version-3 ratings readable, then stores prompts, a score-less rating and a judgement', () => {
    const file = path.join(tempDir(), 'store.db');
    const db = rawDb(file);
    migrate(db, MIGRATIONS, 3);
    db.exec(SEED_V3);
    db.close();
    const store = openStore(file);
    expect(store.migrationsApplied).toEqual(versionsFrom(4));
    expect(store.ratings.get(2)).toEqual({ sampleId: 2, score: 4, flags: ['truncated'], note: 'good', updatedAt: '2025-01-02T00:00:03.000Z' });
    expect(store.sweeps.reviewSettings(1)).toBeNull();
    expect(store.sweeps.reviewSettingsOrDefault(1)).toMatchObject({ greedy: true, maxNewTokens: 64, stopStrings: [] });
    store.sweeps.setReviewSettings(1, { ...store.sweeps.reviewSettingsOrDefault(1), maxNewTokens: 16 });
    expect(store.sweeps.reviewSettings(1)).toMatchObject({ maxNewTokens: 16 });
    const [p] = store.reviewPrompts.add(1, [{ text: 'Define lucid.', fields: { instruction: 'Define lucid.' }, reference: 'clear', source: 'validation' }]);
    expect(p).toMatchObject({ id: 1, sweepId: 1, position: 0, text: 'Define lucid.', reference: 'clear', source: 'validation' });
    expect(store.ratings.set(1, { score: null, flags: ['repetition'], note: null })).toMatchObject({ sampleId: 1, score: null, flags: ['repetition'] });
    const j = store.judgements.add({ sweepId: 1, promptId: 1, leftSampleId: 1, rightSampleId: 2, verdict: 'tie', rater: 'ann', repeatOf: null });
    expect(store.judgements.list(1)).toEqual([j]);
    expect(() => store.db.prepare("INSERT INTO ratings (sample_id, score, created_at, updated_at) VALUES (1, 6, 'x', 'x')").run()).toThrow(/CHECK|UNIQUE/);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });
});

describe('migration 5 (metric buckets)', () => {
  // A long series with ties, NaN (NULL) values and a gap, and a sparse one with a step far out.
  const points: MetricRow[] = [];
  for (let step = 0; step < 4100; step++) {
    if (step >= 1000 && step < 1300) continue;
    points.push({ runId: 1, name: 'train_loss', step, value: step % 97 === 0 ? NaN : ((step * 7919) % 1000) / 100, epoch: step / 100, tokens: step * 512 });
  }
  points.push(...[5, 13, 300_000].map((step) => ({ runId: 2, name: 'lr' as const, step, value: 1 / step, epoch: null, tokens: null })));
  const buckets = (db: Database.Database): unknown[] => db.prepare('SELECT * FROM metric_buckets ORDER BY run_id, name, level, bucket').raw(true).all();

  it('builds the buckets of stored points exactly as the repository keeps them when it writes', () => {
    const migrated = path.join(tempDir(), 'store.db');
    const db = rawDb(migrated);
    migrate(db, MIGRATIONS, 4);
    db.exec(SEED_V4);
    const put = db.prepare('INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const p of points) put.run(p.runId, p.name, p.step, Number.isNaN(p.value) ? null : p.value, p.epoch, p.tokens);
    })();
    db.close();
    const a = openStore(migrated);
    expect(a.migrationsApplied).toEqual(versionsFrom(5));

    const written = path.join(tempDir(), 'store.db');
    const db2 = rawDb(written);
    migrate(db2, MIGRATIONS, 4);
    db2.exec(SEED_V4);
    db2.close();
    const b = openStore(written);
    // Written through the repository in shuffled batches, as workers and resumed runs do.
    const shuffled = [...points].sort((x, y) => ((x.step * 2654435761) % 4093) - ((y.step * 2654435761) % 4093));
    for (let i = 0; i < shuffled.length; i += 333) b.metrics.appendRows(shuffled.slice(i, i + 333));

    expect(buckets(a.db).length).toBeGreaterThan(600);
    expect(buckets(a.db)).toEqual(buckets(b.db));
    expect(a.metrics.overview(1, 'train_loss', 100)).toEqual(b.metrics.overview(1, 'train_loss', 100));
    expect(a.integrityCheck()).toBe('ok');
    a.close();
    b.close();
  });
});
