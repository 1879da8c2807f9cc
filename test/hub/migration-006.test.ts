// Migration 6 (model library) on a database of the version before it: every model row is kept as it was, the new
// columns start NULL, and the repository reads such a row (quantisation "none" until the host first inspects it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations/index';
import { migrate, userVersion } from '../../src-main/store/migrations/runner';
import { systemClock } from '../../src-main/store/clock';
import { createModelsRepo } from '../../src-main/store/repos/models';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-m006-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('adds the library columns and keeps every model row', () => {
  const list = MIGRATIONS;
  const at = list.findIndex((m) => m.name === 'model_library') + 1;
  const db = new Database(path.join(root, 'store.db'));
  try {
    migrate(db, list, at - 1);
    db.exec(`INSERT INTO models (name, path, kind, model_type, hidden_size, num_layers, vocab_size, params, has_tokenizer,
      has_chat_template, dtype, linear_modules_json, created_at) VALUES
      ('tiny', '/m/tiny', 'weights', 'llama', 32, 2, 267, 52000, 1, 0, 'F32', '["q_proj","v_proj"]', '2026-01-01T00:00:00.000Z'),
      ('card', '/m/card', 'config', 'llama', 4096, 32, 32000, 6738415616, 0, 1, NULL, '[]', '2026-01-02T00:00:00.000Z')`);
    const before = db.prepare('SELECT * FROM models ORDER BY id').all();
    expect(migrate(db, list, at)).toEqual([at]);
    expect(userVersion(db)).toBe(at);
    const after = db.prepare('SELECT * FROM models ORDER BY id').all() as Record<string, unknown>[];
    expect(after.map(({ quantization, disk_bytes, source_json, fingerprint_json, ...rest }) => {
      expect([quantization, disk_bytes, source_json, fingerprint_json]).toEqual([null, null, null, null]);
      return rest;
    })).toEqual(before);
    const repo = createModelsRepo(db, systemClock);
    expect(repo.get(2)).toMatchObject({ name: 'card', kind: 'config', params: 6738415616, quantization: 'none', diskBytes: null, source: null, changed: null });
    expect(repo.fingerprint(1)).toBeNull();
    expect(() => db.exec("UPDATE models SET quantization = 'gptq' WHERE id = 1")).toThrow(/CHECK constraint failed/);
  } finally {
    db.close();
  }
});
