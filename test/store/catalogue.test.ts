// Models, datasets and settings round-trip every field (booleans, JSON arrays, NULLs) with hand-written values.
import { afterAll, describe, expect, it } from 'vitest';
import { isPeftLabError } from '../../src-shared/errors';
import { openStore } from '../../src-main/store/db';
import { cell, CONFIG_MODEL, DATASET, manualClock, MODEL, newRun, SPEC } from './fixtures';

const t = manualClock('2025-02-03T04:05:06.789Z');
const store = openStore(':memory:', { clock: t.clock });
afterAll(() => store.close());

describe('models', () => {
  it('insert returns every field, with an id and the clock time', () => {
    expect(store.models.insert(MODEL)).toEqual({
      id: 1, name: 'tiny-llama', path: '/models/tiny-llama', kind: 'weights', modelType: 'llama', hiddenSize: 64,
      numLayers: 2, vocabSize: 320, params: 123456, hasTokenizer: true, hasChatTemplate: false, dtype: 'F32',
      linearModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
      createdAt: '2025-02-03T04:05:06.789Z', quantization: 'none', diskBytes: null, source: null, changed: null,
    });
    t.at = '2025-02-03T04:05:07.000Z';
    expect(store.models.insert(CONFIG_MODEL)).toEqual({
      id: 2, name: 'llama-7b card', path: '/cards/llama-7b', kind: 'config', modelType: 'llama', hiddenSize: 4096,
      numLayers: 32, vocabSize: 32000, params: 6738415616, hasTokenizer: false, hasChatTemplate: true, dtype: null,
      linearModules: [], createdAt: '2025-02-03T04:05:07.000Z', quantization: 'none', diskBytes: null, source: null, changed: null,
    });
  });

  it('get, byPath and list read the same records back', () => {
    const [a, b] = store.models.list();
    expect(a).toMatchObject({ id: 1, hasTokenizer: true, linearModules: MODEL.linearModules });
    expect(b).toMatchObject({ id: 2, dtype: null, params: 6738415616 });
    expect(store.models.get(2)).toEqual(b);
    expect(store.models.byPath('/models/tiny-llama')).toEqual(a);
    expect(store.models.byPath('/nowhere')).toBeNull();
    expect(store.models.get(99)).toBeNull();
  });

  it('a second model with the same path is rejected', () => {
    expect(() => store.models.insert({ ...MODEL, name: 'again' })).toThrow(/UNIQUE/);
  });

  it('remove refuses while runs use the model, and works once they are gone', () => {
    const sweep = store.sweeps.insert({ name: 's', spec: SPEC, status: 'draft' });
    store.runs.insertMany(sweep.id, [newRun(cell(8, 'attention-qv'), 2, null)]);
    let error: unknown;
    try { store.models.remove(2); } catch (err) { error = err; }
    expect(isPeftLabError(error, 'BAD_ARGUMENT')).toBe(true);
    expect((error as Error).message).toBe('The model "llama-7b card" is used by 1 run; delete the sweeps that use it first, then remove the model.');
    expect(store.models.get(2)).not.toBeNull();
    expect(store.sweeps.remove(sweep.id)).toBe(true);
    expect(store.models.remove(2)).toBe(true);
    expect(store.models.remove(2)).toBe(false);
    expect(store.models.list().map((m) => m.id)).toEqual([1]);
  });
});

describe('datasets', () => {
  it('round-trip every field and are found by path and hash', () => {
    t.at = '2025-02-03T05:00:00.000Z';
    const d = store.datasets.insert(DATASET);
    expect(d).toEqual({
      id: 1, name: 'alpaca-mini', path: '/data/alpaca-mini.jsonl', format: 'jsonl', sha256: 'a'.repeat(64),
      records: 200, fields: ['instruction', 'input', 'output'], bytes: 51234, createdAt: '2025-02-03T05:00:00.000Z',
    });
    const edited = store.datasets.insert({ ...DATASET, sha256: 'b'.repeat(64), records: 201, fields: [] });
    expect(edited).toMatchObject({ id: 2, fields: [], records: 201 });
    expect(store.datasets.byPathAndHash('/data/alpaca-mini.jsonl', 'a'.repeat(64))).toEqual(d);
    expect(store.datasets.byPathAndHash('/data/alpaca-mini.jsonl', 'c'.repeat(64))).toBeNull();
    expect(store.datasets.get(2)).toEqual(edited);
    expect(store.datasets.list()).toEqual([d, edited]);
    expect(() => store.datasets.insert(DATASET)).toThrow(/UNIQUE/);
  });
});

describe('settings', () => {
  it('return the fallback until set, then the stored JSON value', () => {
    expect(store.settings.get('concurrency', null)).toBeNull();
    store.settings.set('concurrency', 3);
    expect(store.settings.get('concurrency', null)).toBe(3);
    store.settings.set('concurrency', null);
    expect(store.settings.get<number | null>('concurrency', 8)).toBeNull();
    store.settings.set('window', { width: 1200, height: 800, panes: ['chart', 'table'], max: false });
    expect(store.settings.get('window', {})).toEqual({ width: 1200, height: 800, panes: ['chart', 'table'], max: false });
    store.settings.set('window', undefined);
    expect(store.settings.get('window', 'gone')).toBe('gone');
  });
});

it('integrity is ok after all of the above', () => {
  expect(store.integrityCheck()).toBe('ok');
});
