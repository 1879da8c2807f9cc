// Notes and tags (minimal repositories), and the review tables' constraints: rating scores 1..5, one rating per
// sample, base-model samples without a run, notes removed with what they were about.
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { cell, manualClock, MODEL, newRun, SPEC } from './fixtures';

const t = manualClock('2025-05-06T07:08:09.000Z');
const store = openStore(':memory:', { clock: t.clock });
afterAll(() => store.close());
const model = store.models.insert(MODEL);
const sweep = store.sweeps.insert({ name: 's', spec: SPEC, status: 'finished' });
const [run1, run2] = store.runs.insertMany(sweep.id, [cell(8, 'attention-qv'), cell(16, 'attention-qv')]
  .map((c) => newRun(c, model.id, null)));

describe('notes', () => {
  it('add, list per target (oldest first) and remove', () => {
    const a = store.notes.add('run', run1.id, 'loss plateaus after step 12');
    t.at = '2025-05-06T07:09:00.000Z';
    const b = store.notes.add('run', run1.id, 'outputs are terse');
    store.notes.add('sweep', sweep.id, 'r=16 is not better here');
    expect(a).toEqual({ id: 1, targetKind: 'run', targetId: run1.id, text: 'loss plateaus after step 12', createdAt: '2025-05-06T07:08:09.000Z' });
    expect(store.notes.list('run', run1.id)).toEqual([a, b]);
    expect(store.notes.list('run', run2.id)).toEqual([]);
    expect(store.notes.list('sweep', sweep.id).map((n) => n.text)).toEqual(['r=16 is not better here']);
    expect(store.notes.remove(a.id)).toBe(true);
    expect(store.notes.remove(a.id)).toBe(false);
    expect(store.notes.list('run', run1.id)).toEqual([b]);
  });
});

describe('tags', () => {
  it('are a set per run, listed alphabetically', () => {
    expect(store.tags.add(run1.id, 'best')).toBe(true);
    expect(store.tags.add(run1.id, 'baseline')).toBe(true);
    expect(store.tags.add(run1.id, 'best')).toBe(false);
    expect(store.tags.add(run2.id, 'best')).toBe(true);
    expect(store.tags.list(run1.id)).toEqual(['baseline', 'best']);
    expect(store.tags.runsWith('best')).toEqual([run1.id, run2.id]);
    expect(store.tags.remove(run1.id, 'best')).toBe(true);
    expect(store.tags.remove(run1.id, 'best')).toBe(false);
    expect(store.tags.list(run1.id)).toEqual(['baseline']);
    expect(() => store.tags.add(999, 'x')).toThrow(/FOREIGN KEY/);
  });
});

describe('samples and ratings', () => {
  const insertSample = store.db.prepare(`INSERT INTO samples (run_id, sweep_id, prompt_id, prompt, output, step,
    decoding_json, tokens_per_second, length, created_at) VALUES (?, ?, 'p1', 'Name a colour.', 'Blue.', ?, '{}', 12.5, 3, 'now')`);
  const rate = store.db.prepare("INSERT INTO ratings (sample_id, score, created_at, updated_at) VALUES (?, ?, 'now', 'now')");

  it('a base-model sample has no run; scores outside 1..5 and a second rating are refused', () => {
    const base = Number(insertSample.run(null, sweep.id, null).lastInsertRowid);
    const tuned = Number(insertSample.run(run1.id, sweep.id, 20).lastInsertRowid);
    expect(() => rate.run(base, 0)).toThrow(/CHECK/);
    expect(() => rate.run(base, 6)).toThrow(/CHECK/);
    rate.run(base, 1);
    rate.run(tuned, 5);
    expect(() => rate.run(tuned, 4)).toThrow(/UNIQUE/);
    expect(store.db.prepare('SELECT flags_json FROM ratings WHERE sample_id = ?').get(tuned)).toEqual({ flags_json: '[]' });
  });

  it('deleting a run deletes its samples, their ratings, its tags and the notes about them', () => {
    const tuned = (store.db.prepare('SELECT id FROM samples WHERE run_id = ?').get(run1.id) as { id: number }).id;
    store.notes.add('sample', tuned, 'good answer');
    store.db.prepare('DELETE FROM runs WHERE id = ?').run(run1.id);
    const n = (sql: string) => (store.db.prepare(sql).get() as { n: number }).n;
    expect(n('SELECT COUNT(*) AS n FROM samples')).toBe(1); // the base-model sample stays
    expect(n('SELECT COUNT(*) AS n FROM ratings')).toBe(1);
    expect(store.tags.list(run1.id)).toEqual([]);
    expect(store.notes.list('run', run1.id)).toEqual([]);
    expect(store.notes.list('sample', tuned)).toEqual([]);
    expect(store.notes.list('sweep', sweep.id)).toHaveLength(1);
  });
});

it('integrity is ok after all of the above', () => {
  expect(store.integrityCheck()).toBe('ok');
});
