// Metric series: replace on conflict (a resumed run re-emits steps), ascending order, NaN, one transaction per
// append; MetricWriter batches points into few transactions (counted, not timed).
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricPoint } from '../../src-shared/domain/records';
import { openStore } from '../../src-main/store/db';
import { MetricWriter } from '../../src-main/store/metric-writer';
import type { MetricRow } from '../../src-main/store/repos/metrics';
import { cell, MODEL, newRun, SPEC } from './fixtures';

const store = openStore(':memory:');
afterAll(() => store.close());
const model = store.models.insert(MODEL);
const sweep = store.sweeps.insert({ name: 's', spec: SPEC, status: 'running' });
const [run1, run2, run3] = store.runs.insertMany(sweep.id,
  [cell(8, 'attention-qv'), cell(16, 'attention-qv'), cell(8, 'all-linear')].map((c) => newRun(c, model.id, null)));

const loss = (step: number, value: number): MetricPoint => ({ name: 'train_loss', step, value, epoch: null, tokens: null });

describe('metrics', () => {
  it('series are ascending by step whatever the write order, per name', () => {
    store.metrics.append(run1.id, [
      { name: 'train_loss', step: 3, value: 1.5, epoch: 0.75, tokens: 1536 },
      { name: 'train_loss', step: 1, value: 2.5, epoch: 0.25, tokens: 512 },
      { name: 'lr', step: 1, value: 0.0002, epoch: null, tokens: null },
      { name: 'train_loss', step: 2, value: 2, epoch: 0.5, tokens: 1024 },
    ]);
    expect(store.metrics.series(run1.id, 'train_loss')).toEqual([
      { name: 'train_loss', step: 1, value: 2.5, epoch: 0.25, tokens: 512 },
      { name: 'train_loss', step: 2, value: 2, epoch: 0.5, tokens: 1024 },
      { name: 'train_loss', step: 3, value: 1.5, epoch: 0.75, tokens: 1536 },
    ]);
    expect(store.metrics.series(run1.id, 'lr')).toEqual([{ name: 'lr', step: 1, value: 0.0002, epoch: null, tokens: null }]);
    expect(store.metrics.count(run1.id, 'train_loss')).toBe(3);
    expect(store.metrics.count(run1.id, 'val_loss')).toBe(0);
    expect(store.metrics.lastStep(run1.id)).toBe(3);
    expect(store.metrics.lastStep(run2.id)).toBeNull();
  });

  it('re-writing a (run, name, step) replaces the point: a resumed run re-emits steps after its checkpoint', () => {
    store.metrics.append(run1.id, [
      { name: 'train_loss', step: 3, value: 1.25, epoch: 0.75, tokens: 1536 },
      { name: 'train_loss', step: 4, value: 1, epoch: 1, tokens: 2048 },
    ]);
    expect(store.metrics.series(run1.id, 'train_loss').map((p) => [p.step, p.value])).toEqual([[1, 2.5], [2, 2], [3, 1.25], [4, 1]]);
    expect(store.metrics.count(run1.id, 'train_loss')).toBe(4);
    store.metrics.append(run1.id, [loss(5, 3), loss(5, 0.5)]);
    expect(store.metrics.series(run1.id, 'train_loss').at(-1)).toEqual(loss(5, 0.5));
  });

  it('keeps NaN and infinite values', () => {
    store.metrics.append(run2.id, [loss(1, NaN), loss(2, Infinity)]);
    expect(store.metrics.series(run2.id, 'train_loss').map((p) => p.value)).toEqual([NaN, Infinity]);
  });

  it('an append is one transaction: a bad point writes none of them', () => {
    expect(() => store.metrics.append(999, [loss(1, 1)])).toThrow(/FOREIGN KEY/);
    const rows: MetricRow[] = [{ ...loss(1, 1), runId: run3.id }, { ...loss(2, 1), runId: 999 }];
    expect(() => store.metrics.appendRows(rows)).toThrow(/FOREIGN KEY/);
    expect(store.metrics.count(run3.id, 'train_loss')).toBe(0);
  });
});

describe('MetricWriter', () => {
  afterEach(() => { vi.useRealTimers(); });

  function counted(): { appendRows: ReturnType<typeof vi.fn<(rows: readonly MetricRow[]) => void>> } {
    return { appendRows: vi.fn((rows: readonly MetricRow[]) => store.metrics.appendRows(rows)) };
  }

  it('holds points until flush(), then they are on disk', () => {
    const sink = counted();
    const w = new MetricWriter(sink);
    w.push(run3.id, [loss(1, 4), loss(2, 3)]);
    w.push(run2.id, [loss(3, 2)]);
    expect(w.pendingRows).toBe(3);
    expect(store.metrics.count(run3.id, 'train_loss')).toBe(0);
    w.flush();
    expect(sink.appendRows).toHaveBeenCalledTimes(1);
    expect(store.metrics.series(run3.id, 'train_loss').map((p) => p.value)).toEqual([4, 3]);
    expect(store.metrics.series(run2.id, 'train_loss').map((p) => p.step)).toEqual([1, 2, 3]);
    w.flush();
    expect(sink.appendRows).toHaveBeenCalledTimes(1); // nothing pending, no transaction
    w.close();
  });

  it('1,000 points pushed in one tick land in at most 2 transactions', () => {
    const points = Array.from({ length: 1000 }, (_, i) => loss(100 + i, 1 / (i + 1)));
    const one = counted();
    const w1 = new MetricWriter(one);
    w1.push(run1.id, points);
    w1.flush();
    expect(one.appendRows.mock.calls.length).toBeLessThanOrEqual(2);

    const each = counted();
    const w2 = new MetricWriter(each);
    for (const p of points) w2.push(run2.id, [{ ...p, name: 'grad_norm' }]);
    w2.flush();
    expect(each.appendRows.mock.calls.map((c) => c[0].length)).toEqual([500, 500]);
    expect(store.metrics.count(run1.id, 'train_loss')).toBe(1005);
    expect(store.metrics.count(run2.id, 'grad_norm')).toBe(1000);
    w1.close();
    w2.close();
  });

  it('writes by itself flushMs after the first pending point', () => {
    vi.useFakeTimers();
    const sink = counted();
    const w = new MetricWriter(sink, { flushMs: 250 });
    w.push(run3.id, [{ ...loss(1, 1), name: 'val_loss' }]);
    vi.advanceTimersByTime(100);
    w.push(run3.id, [{ ...loss(2, 1), name: 'val_loss' }]);
    vi.advanceTimersByTime(149);
    expect(store.metrics.count(run3.id, 'val_loss')).toBe(0);
    vi.advanceTimersByTime(1);
    expect(store.metrics.count(run3.id, 'val_loss')).toBe(2);
    expect(sink.appendRows).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(sink.appendRows).toHaveBeenCalledTimes(1);
    w.close();
  });

  it('close() flushes and refuses later points', () => {
    const w = new MetricWriter(store, { maxRows: 10_000 }); // the store itself: its metrics repository
    w.push(run3.id, [{ ...loss(1, 9), name: 'tokens_per_second' }]);
    w.close();
    expect(store.metrics.count(run3.id, 'tokens_per_second')).toBe(1);
    expect(() => w.push(run3.id, [loss(9, 9)])).toThrow(/after close/);
  });

  it("one run's bad points (run deleted meanwhile) do not cost the other runs theirs", () => {
    const onError = vi.fn();
    const sink = counted();
    const w = new MetricWriter(sink, { onError });
    w.push(run3.id, [{ ...loss(1, 1), name: 'lr' }]);
    w.push(12345, [loss(1, 1), loss(2, 1)]);
    w.push(run3.id, [{ ...loss(2, 1), name: 'lr' }]);
    w.flush();
    expect(store.metrics.count(run3.id, 'lr')).toBe(2);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0].slice(1)).toEqual([12345, 2]);
    w.close();
  });
});

it('integrity is ok after all of the above', () => {
  expect(store.integrityCheck()).toBe('ok');
});
