// Opening the store: folders are created, files it must not touch are refused byte-for-byte untouched, and runs a
// previous host left 'running' become 'interrupted'.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isPeftLabError } from '../../src-shared/errors';
import { LATEST_VERSION, MIGRATIONS } from '../../src-main/store/migrations/index';
import { openStore } from '../../src-main/store/db';
import { cell, manualClock, MODEL, newRun, SPEC, tempDir } from './fixtures';

function refusal(file: string): { message: string; problem: unknown } {
  try {
    openStore(file).close();
  } catch (err) {
    expect(isPeftLabError(err, 'STORE_INVALID')).toBe(true);
    const e = err as Error & { details?: { file?: string; problem?: string } };
    expect(e.message).toContain(file);
    expect(e.message).toContain('has not changed');
    expect(e.details?.file).toBe(file);
    return { message: e.message, problem: e.details?.problem };
  }
  throw new Error('openStore did not refuse the file');
}

/** A file written with plain SQLite: application_id "PEFL", user_version one above the latest. */
function newerStore(file: string, wal: boolean): void {
  const db = new Database(file);
  if (wal) db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('from version ${LATEST_VERSION + 1}')`);
  db.pragma('application_id = 1346717260');
  db.pragma(`user_version = ${LATEST_VERSION + 1}`);
  db.close();
}

describe('openStore', () => {
  it('creates missing folders, and reopening applies no migration twice and keeps the data', () => {
    const file = path.join(tempDir(), 'a', 'b', 'store.db');
    const first = openStore(file);
    expect(first.migrationsApplied).toEqual(MIGRATIONS.map((m) => m.version));
    first.settings.set('theme', 'dark');
    first.close();
    first.close(); // a second close is harmless
    const again = openStore(file);
    expect(again.migrationsApplied).toEqual([]);
    expect(again.settings.get('theme', 'light')).toBe('dark');
    again.close();
  });

  it('opens an empty (0-byte) file as a new store', () => {
    const file = path.join(tempDir(), 'empty.db');
    fs.writeFileSync(file, '');
    const store = openStore(file);
    expect(store.migrationsApplied).toEqual(MIGRATIONS.map((m) => m.version));
    store.close();
  });

  it.each([false, true])('refuses a store from a newer version untouched (WAL: %s)', (wal) => {
    const file = path.join(tempDir(), 'store.db');
    newerStore(file, wal);
    const before = fs.readFileSync(file);
    const { message, problem } = refusal(file);
    expect(problem).toBe('newer-version');
    expect(message).toContain(`newer version of PEFT Lab (database version ${LATEST_VERSION + 1}; this version understands up to ${LATEST_VERSION})`);
    expect(message).toMatch(/Update PEFT Lab/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['store.db']);
  });

  it.each([
    ['a text file', 'name,score\nalpha,1\nbeta,2\n'.repeat(20)],
    ['a file shorter than the SQLite header', 'SQLite'],
    ['a file with the SQLite magic and garbage after it', 'SQLite format 3\0' + 'x'.repeat(200)],
  ])('refuses %s untouched', (_what, content) => {
    const file = path.join(tempDir(), 'store.db');
    fs.writeFileSync(file, content, 'latin1');
    const before = fs.readFileSync(file);
    const { problem } = refusal(file);
    expect(['not-sqlite', 'corrupt']).toContain(problem);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['store.db']);
  });

  it('refuses an SQLite database of another program untouched', () => {
    const file = path.join(tempDir(), 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    const before = fs.readFileSync(file);
    const { message, problem } = refusal(file);
    expect(problem).toBe('foreign');
    expect(message).toMatch(/another program/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('marks runs left running by a previous host as interrupted, and nothing else', () => {
    const file = path.join(tempDir(), 'store.db');
    const t = manualClock('2025-03-01T10:00:00.000Z');
    const s1 = openStore(file, { clock: t.clock });
    expect(s1.interruptedOnOpen).toBe(0);
    const model = s1.models.insert(MODEL);
    const sweep = s1.sweeps.insert({ name: 'study', spec: SPEC, status: 'running' });
    const [a, b, c, d] = s1.runs.insertMany(sweep.id, [cell(8, 'attention-qv'), cell(16, 'attention-qv'),
      cell(8, 'all-linear'), cell(16, 'all-linear')].map((x) => newRun(x, model.id, null)));
    s1.runs.update(a.id, { status: 'running', startedAt: '2025-03-01T10:00:00.000Z', step: 7 });
    s1.runs.update(b.id, { status: 'running', statusReason: 'resumed from step 5' });
    s1.runs.update(d.id, { status: 'finished', step: 20 });
    s1.close();

    t.at = '2025-03-02T08:30:00.000Z';
    const s2 = openStore(file, { clock: t.clock });
    expect(s2.interruptedOnOpen).toBe(2);
    for (const id of [a.id, b.id]) {
      expect(s2.runs.get(id)).toMatchObject({ status: 'interrupted', statusReason: 'the host stopped while this run was in flight',
        updatedAt: '2025-03-02T08:30:00.000Z', finishedAt: null });
    }
    expect(s2.runs.get(a.id)).toMatchObject({ step: 7, startedAt: '2025-03-01T10:00:00.000Z' });
    expect(s2.runs.get(c.id)).toMatchObject({ status: 'queued', statusReason: null, updatedAt: '2025-03-01T10:00:00.000Z' });
    expect(s2.runs.get(d.id)).toMatchObject({ status: 'finished', updatedAt: '2025-03-01T10:00:00.000Z' });
    s2.close();

    const s3 = openStore(file, { clock: t.clock });
    expect(s3.interruptedOnOpen).toBe(0);
    expect(s3.integrityCheck()).toBe('ok');
    s3.close();
  });
});
