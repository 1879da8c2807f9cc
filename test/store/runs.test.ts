// Sweeps and runs: every RunRecord/RunDetail field round-trips (JSON columns, NULLs), counts per status, queue
// order, patches, artifacts and events; deleting a sweep cascades to everything its runs own.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/domain/records';
import { isPeftLabError } from '../../src-shared/errors';
import { openStore } from '../../src-main/store/db';
import { cell, DATASET, manualClock, MODEL, newRun, SPEC } from './fixtures';

const t = manualClock('2025-04-01T12:00:00.000Z');
const store = openStore(':memory:', { clock: t.clock });
afterAll(() => store.close());
const model = store.models.insert(MODEL);
const dataset = store.datasets.insert(DATASET);
const ZERO = { queued: 0, running: 0, finished: 0, failed: 0, interrupted: 0, stopped: 0 };

describe('sweeps', () => {
  it('insert returns the spec as given, zero counts and the clock time', () => {
    expect(store.sweeps.insert({ name: 'rank study', spec: SPEC, status: 'draft' })).toEqual({
      id: 1, name: 'rank study', spec: SPEC, status: 'draft', createdAt: '2025-04-01T12:00:00.000Z',
      updatedAt: '2025-04-01T12:00:00.000Z', counts: ZERO,
    });
    expect(store.sweeps.get(1)?.spec).toEqual(SPEC);
  });

  it('setStatus bumps updatedAt only; an unknown sweep is an error', () => {
    t.at = '2025-04-01T12:00:30.000Z';
    expect(store.sweeps.setStatus(1, 'queued')).toMatchObject({ status: 'queued', createdAt: '2025-04-01T12:00:00.000Z',
      updatedAt: '2025-04-01T12:00:30.000Z' });
    expect(() => store.sweeps.setStatus(42, 'queued')).toThrow('There is no sweep 42.');
    expect(store.sweeps.get(42)).toBeNull();
  });
});

describe('runs', () => {
  let runs: RunRecord[] = [];

  it('insertMany creates queued runs with every field', () => {
    t.at = '2025-04-01T12:01:00.000Z';
    runs = store.runs.insertMany(1, [newRun(cell(8, 'attention-qv'), model.id, dataset.id),
      { ...newRun(cell(16, 'attention-qv'), model.id, null), maxSteps: null, trainableParams: null, allParams: null,
        templateText: null, outputDir: '/out/r16' },
      newRun(cell(8, 'all-linear'), model.id, dataset.id)]);
    expect(runs.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(runs[0]).toEqual({
      id: 1, sweepId: 1, cellKey: 'lora|r8|attention-qv|b32|a16|lr0.0002|s42', cell: cell(8, 'attention-qv'),
      label: 'LoRA r=8 attention-qv', status: 'queued', statusReason: null, step: 0, maxSteps: 20, epoch: null,
      lastLoss: null, valLoss: null, tokensPerSecond: null, etaSeconds: null, trainableParams: 32768, allParams: 123456,
      peakMemoryBytes: null, baseFormat: null, baseWeightBytes: null, baseBitsPerWeight: null, worker: null, backend: null, device: null, outputDir: null, error: null,
      queuedAt: '2025-04-01T12:01:00.000Z', startedAt: null, finishedAt: null, updatedAt: '2025-04-01T12:01:00.000Z',
    });
    expect(runs[1]).toMatchObject({ maxSteps: null, trainableParams: null, allParams: null, outputDir: '/out/r16' });
    expect(store.runs.get(2)).toEqual(runs[1]);
  });

  it('detail carries the spec snapshot, seed, dataset hash, template and library versions', () => {
    expect(store.runs.detail(1)).toEqual({
      ...runs[0], spec: { method: { kind: 'lora', r: 8 }, nested: [1, null, 'x'] }, seed: 42,
      datasetSha256: 'a'.repeat(64), templateText: '### Instruction:\n{instruction}', libraryVersions: null,
      artifacts: [], events: [],
    });
    expect(store.runs.detail(2)).toMatchObject({ datasetSha256: null, templateText: null });
    expect(store.runs.detail(99)).toBeNull();
  });

  it('a duplicate cell in a sweep rolls back the whole batch', () => {
    expect(() => store.runs.insertMany(1, [newRun(cell(16, 'all-linear'), model.id, null),
      newRun(cell(8, 'attention-qv'), model.id, null)])).toThrow(/UNIQUE/);
    expect(store.runs.list().map((r) => r.cellKey)).toEqual(runs.map((r) => r.cellKey));
  });

  it('update sets the given fields, clears null ones, keeps the rest and bumps updatedAt', () => {
    t.at = '2025-04-01T12:02:00.000Z';
    const versions = { tfjs: '4.22.0', node: '20.19.0' };
    const updated = store.runs.update(1, {
      status: 'running', statusReason: 'resumed from step 10', step: 12, maxSteps: 40, epoch: 0.25, lastLoss: 1.75,
      valLoss: 1.5, tokensPerSecond: 812.5, etaSeconds: 33, trainableParams: 65536, allParams: 189000,
      peakMemoryBytes: 2147483648, backend: 'wasm', device: 'simd, 4 threads', libraryVersions: versions,
      startedAt: '2025-04-01T12:01:30.000Z',
    });
    expect(updated).toEqual({
      ...runs[0], status: 'running', statusReason: 'resumed from step 10', step: 12, maxSteps: 40, epoch: 0.25,
      lastLoss: 1.75, valLoss: 1.5, tokensPerSecond: 812.5, etaSeconds: 33, trainableParams: 65536, allParams: 189000,
      peakMemoryBytes: 2147483648, backend: 'wasm', device: 'simd, 4 threads', startedAt: '2025-04-01T12:01:30.000Z',
      updatedAt: '2025-04-01T12:02:00.000Z',
    });
    expect(store.runs.detail(1)?.libraryVersions).toEqual(versions);

    t.at = '2025-04-01T12:03:00.000Z';
    const error = { name: 'PeftLabError', code: 'NAN_LOSS' as const, message: 'loss is NaN at step 13', details: { step: 13 } };
    const failed = store.runs.update(1, { status: 'failed', error, etaSeconds: null, lastLoss: null,
      finishedAt: '2025-04-01T12:03:00.000Z' });
    expect(failed).toEqual({ ...updated, status: 'failed', error, etaSeconds: null, lastLoss: null,
      finishedAt: '2025-04-01T12:03:00.000Z', updatedAt: '2025-04-01T12:03:00.000Z' });
    expect(store.runs.update(1, {})).toEqual({ ...failed, updatedAt: '2025-04-01T12:03:00.000Z' });
    expect(store.runs.update(1, { error: null, libraryVersions: null })).toMatchObject({ error: null });
    expect(store.runs.detail(1)?.libraryVersions).toBeNull();
    expect(() => store.runs.update(99, { step: 1 })).toThrow('There is no run 99.');
  });

  it('setOutputDir stores the folder and bumps updatedAt', () => {
    t.at = '2025-04-01T12:04:00.000Z';
    expect(store.runs.setOutputDir(3, '/runs/3')).toMatchObject({ outputDir: '/runs/3', updatedAt: '2025-04-01T12:04:00.000Z' });
    let e: unknown;
    try { store.runs.setOutputDir(99, '/x'); } catch (err) { e = err; }
    expect(isPeftLabError(e, 'BAD_ARGUMENT')).toBe(true);
    expect((e as Error).message).toBe('There is no run 99.');
  });

  it('nextQueued returns the oldest queued run, then the next as the first leaves the queue', () => {
    // run 1 failed above; 2 and 3 are queued
    expect(store.runs.nextQueued()?.id).toBe(2);
    store.runs.update(2, { status: 'running' });
    expect(store.runs.nextQueued()?.id).toBe(3);
    store.runs.update(1, { status: 'queued' }); // a resumed run goes back in line by age
    expect(store.runs.nextQueued()?.id).toBe(1);
    store.runs.update(1, { status: 'stopped' });
    store.runs.update(3, { status: 'finished' });
    expect(store.runs.nextQueued()).toBeNull();
  });

  it('sweep counts cover every status, 0 when none', () => {
    const second = store.sweeps.insert({ name: 'empty', spec: { ...SPEC, name: 'empty' }, status: 'draft' });
    const third = store.sweeps.insert({ name: 'one', spec: SPEC, status: 'queued' });
    store.runs.insertMany(third.id, [newRun(cell(8, 'attention-qv'), model.id, null)]);
    expect(store.sweeps.list().map((s) => [s.id, s.counts])).toEqual([
      [1, { ...ZERO, running: 1, finished: 1, stopped: 1 }],
      [second.id, ZERO],
      [third.id, { ...ZERO, queued: 1 }],
    ]);
    expect(store.sweeps.get(1)?.counts).toEqual({ ...ZERO, running: 1, finished: 1, stopped: 1 });
    expect(store.runs.list({ sweepId: third.id }).map((r) => r.id)).toEqual([4]);
    expect(store.runs.list({ sweepId: 1 }).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(store.runs.list().map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });
});

describe('artifacts and events', () => {
  it('round-trip and appear in the run detail', () => {
    t.at = '2025-04-01T12:05:00.000Z';
    const ckpt = store.artifacts.add({ runId: 2, kind: 'checkpoint', step: 10, path: '/runs/2/checkpoint-10', bytes: 1048576 });
    const log = store.artifacts.add({ runId: 2, kind: 'log', step: null, path: '/runs/2/log.jsonl', bytes: null });
    expect(ckpt).toEqual({ id: 1, runId: 2, kind: 'checkpoint', step: 10, path: '/runs/2/checkpoint-10', bytes: 1048576,
      createdAt: '2025-04-01T12:05:00.000Z' });
    expect(store.artifacts.list(2)).toEqual([ckpt, log]);
    expect(store.artifacts.list(3)).toEqual([]);
    const ev = store.runEvents.add(2, 'checkpoint', { step: 10, files: ['a', 'b'] });
    expect(ev).toEqual({ id: 1, runId: 2, time: '2025-04-01T12:05:00.000Z', type: 'checkpoint', payload: { step: 10, files: ['a', 'b'] } });
    expect(store.runEvents.add(2, 'note', null).payload).toBeNull();
    expect(store.runs.detail(2)).toMatchObject({ artifacts: [ckpt, log], events: [ev, { id: 2, type: 'note', payload: null }] });
  });

  it('the detail keeps the newest 500 events, oldest first', () => {
    store.db.transaction(() => { for (let i = 1; i <= 600; i++) store.runEvents.add(3, 'progress', { i }); })();
    const events = store.runs.detail(3)?.events ?? [];
    expect(events).toHaveLength(500);
    expect(events[0].payload).toEqual({ i: 101 });
    expect(events[499].payload).toEqual({ i: 600 });
    expect(store.runEvents.list(3, 2).map((e) => e.payload)).toEqual([{ i: 599 }, { i: 600 }]);
  });
});

describe('foreign keys', () => {
  it('deleting a sweep deletes its runs and everything they own, and nothing else', () => {
    store.metrics.append(2, [{ name: 'train_loss', step: 1, value: 2, epoch: null, tokens: null }]);
    store.metrics.append(4, [{ name: 'train_loss', step: 1, value: 3, epoch: null, tokens: null }]);
    store.tags.add(2, 'best');
    store.notes.add('run', 2, 'looks good');
    store.notes.add('sweep', 1, 'first try');
    const count = (table: string) => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('runs'), count('metrics'), count('artifacts'), count('run_events'), count('tags'), count('notes')])
      .toEqual([4, 2, 2, 602, 1, 2]);
    expect(store.sweeps.remove(1)).toBe(true);
    expect(store.runs.list().map((r) => r.id)).toEqual([4]);
    expect([count('runs'), count('metrics'), count('artifacts'), count('run_events'), count('tags'), count('notes')])
      .toEqual([1, 1, 0, 0, 0, 0]);
    expect(store.metrics.count(2, 'train_loss')).toBe(0);
    expect(store.metrics.count(4, 'train_loss')).toBe(1);
    expect(() => store.db.prepare("INSERT INTO runs (sweep_id, cell_key, cell_json, label, spec_json, seed, model_id, status, updated_at) VALUES (99, 'k', '{}', 'l', '{}', 1, 1, 'queued', 'now')").run())
      .toThrow(/FOREIGN KEY/);
  });
});

it('integrity is ok after all of the above', () => {
  expect(store.integrityCheck()).toBe('ok');
});
