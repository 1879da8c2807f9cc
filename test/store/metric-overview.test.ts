// A long series' overview: every point while it is short; past that the lowest and highest point of each bucket
// at the finest level that fits, with the first and last points, so the shape (spikes included) survives in a
// bounded number of rows; rewritten steps (a resumed run) and deleted runs leave no stale buckets.
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../src-shared/domain/records';
import { openStore } from '../../src-main/store/db';
import { TOP_LEVEL } from '../../src-main/store/repos/metric-buckets';
import { cell, MODEL, newRun, SPEC } from './fixtures';

const store = openStore(':memory:');
afterAll(() => store.close());
const model = store.models.insert(MODEL);
const sweep = store.sweeps.insert({ name: 's', spec: SPEC, status: 'running' });
const [run1, run2, run3] = store.runs.insertMany(sweep.id,
  [cell(8, 'attention-qv'), cell(16, 'attention-qv'), cell(8, 'all-linear')].map((c) => newRun(c, model.id, null)));

const loss = (step: number, value: number): MetricPoint => ({ name: 'train_loss', step, value, epoch: step / 1000, tokens: step * 64 });
/** A decaying, wobbling curve over steps 1..n, with a spike up at `up` and one down at `down`. */
function curve(n: number, up: number, down: number): MetricPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const step = i + 1;
    return loss(step, step === up ? 50 : step === down ? -5 : 2 + Math.exp(-step / 3000) + 0.1 * Math.sin(step));
  });
}
const bucketRows = (runId: number): number =>
  (store.db.prepare('SELECT COUNT(*) AS n FROM metric_buckets WHERE run_id = ?').get(runId) as { n: number }).n;

describe('metrics overview', () => {
  it('is every point, NaN included, while the series is within the limit', () => {
    store.metrics.append(run1.id, [loss(1, 3), loss(2, NaN), loss(3, 2.5)]);
    expect(store.metrics.overview(run1.id, 'train_loss', 3)).toEqual({
      rows: [[1, 3, 0.001, 64], [2, NaN, 0.002, 128], [3, 2.5, 0.003, 192]], total: 3, lastStep: 3,
    });
    expect(store.metrics.overview(run1.id, 'val_loss', 10)).toEqual({ rows: [], total: 0, lastStep: null });
  });

  it('keeps the envelope of a long series in a bounded number of rows', () => {
    store.metrics.append(run2.id, curve(100_000, 61_234, 7_777));
    const o = store.metrics.overview(run2.id, 'train_loss', 1000);
    expect(o.total).toBe(100_000);
    expect(o.lastStep).toBe(100_000);
    expect(o.rows.length).toBeGreaterThan(1000);
    expect(o.rows.length).toBeLessThanOrEqual(2 * 1000 + 2);
    const steps = o.rows.map((r) => r[0]);
    expect(steps[0]).toBe(1);
    expect(steps[steps.length - 1]).toBe(100_000);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1])).toBe(true);
    // The spikes are there, with their own epoch and tokens.
    expect(o.rows).toContainEqual([61_234, 50, 61.234, 61_234 * 64]);
    expect(o.rows).toContainEqual([7_777, -5, 7.777, 7_777 * 64]);
    // Every row is a stored point.
    const stored = new Map(store.metrics.series(run2.id, 'train_loss').map((p) => [p.step, p.value]));
    expect(o.rows.every((r) => stored.get(r[0]) === r[1])).toBe(true);
  });

  it('follows rewritten steps (a resumed run) and forgets a deleted run', () => {
    store.metrics.append(run3.id, curve(20_000, 15_000, 500));
    expect(store.metrics.overview(run3.id, 'train_loss', 100).rows).toContainEqual([15_000, 50, 15, 15_000 * 64]);
    // Resumed from step 10,000: the spike at 15,000 never happens this time, a new one at 12,345 does.
    store.metrics.append(run3.id, curve(20_000, 12_345, 500).slice(10_000 - 1));
    const o = store.metrics.overview(run3.id, 'train_loss', 100);
    expect(o.total).toBe(20_000);
    expect(o.rows.some((r) => r[0] === 15_000 && r[1] === 50)).toBe(false);
    expect(o.rows).toContainEqual([12_345, 50, 12.345, 12_345 * 64]);
    const top = store.db.prepare('SELECT n, hi_step, hi_value FROM metric_buckets WHERE run_id = ? AND level = ?').all(run3.id, TOP_LEVEL);
    expect(top).toEqual([{ n: 20_000, hi_step: 12_345, hi_value: 50 }]);

    expect(bucketRows(run3.id)).toBeGreaterThan(0);
    store.db.prepare('DELETE FROM runs WHERE id = ?').run(run3.id);
    expect(bucketRows(run3.id)).toBe(0);
  });

  it('reads one level only, whatever the length of the series', () => {
    const o = store.metrics.overview(run2.id, 'train_loss', 50);
    expect(o.rows.length).toBeLessThanOrEqual(2 * 50 + 2);
    expect(o.rows[0][0]).toBe(1);
    expect(o.rows[o.rows.length - 1][0]).toBe(100_000);
    expect(store.integrityCheck()).toBe('ok');
  });
});
