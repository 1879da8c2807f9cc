// The chart data path: series paged from the host, grown by pushed points, re-fetched downsampled when they outgrow
// maxPoints, points arriving during a fetch kept, a resumed run's repeated steps replacing the tail.
import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../src-shared/protocol/api';
import type { MetricName, MetricPoint } from '../../src-shared/domain/records';
import { MetricsHub } from '../../src-renderer/lib/metrics-hub';
import { SeriesStore } from '../../src-renderer/lib/series-store';
import { deferred, FakeHost } from './fake-host';

const point = (step: number, value = 1, name: MetricName = 'train_loss'): MetricPoint => ({ name, step, value, epoch: step / 10, tokens: step * 100 });

function series(runId: number, name: MetricName, steps: number[], total = steps.length): MetricSeries {
  return { runId, name, total, lastStep: steps.at(-1) ?? null, points: steps.map((s) => [s, 1, s / 10, s * 100]) };
}

function seriesHost(fetch: (runIds: number[], names: MetricName[], maxPoints: number) => MetricSeries[] | Promise<MetricSeries[]>): FakeHost {
  return new FakeHost().handle('metrics/series', (p) => fetch(p.runIds ?? [], p.names, p.maxPoints ?? 1000));
}

const steps = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SeriesStore', () => {
  it('fetches the series of the runs it follows, then grows them with pushed points', async () => {
    const fake = seriesHost((ids, names) => ids.flatMap((id) => names.map((n) => series(id, n, n === 'train_loss' ? [1, 2, 3] : [2]))));
    let changes = 0;
    const store = new SeriesStore(fake.host, ['train_loss', 'val_loss'], { onChange: () => changes++ });
    await store.setRuns([7, 8]);
    expect(store.rows(7, 'train_loss').map((r) => r[0])).toEqual([1, 2, 3]);
    expect(store.rows(8, 'val_loss').map((r) => r[0])).toEqual([2]);
    store.receive(7, [point(4), point(4, 2, 'lr'), point(5)]);
    expect(store.rows(7, 'train_loss').map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
    expect(store.rows(7, 'lr' as MetricName)).toEqual([]); // not a followed metric
    store.receive(99, [point(1)]); // not a followed run
    expect(store.rows(99, 'train_loss')).toEqual([]);
    expect(changes).toBeGreaterThanOrEqual(2);
  });

  it('keeps points pushed while the first fetch is in flight, after the fetched ones', async () => {
    const answer = deferred<MetricSeries[]>();
    const store = new SeriesStore(seriesHost(() => answer.promise).host, ['train_loss']);
    const loading = store.setRuns([1]);
    store.receive(1, [point(3), point(4)]);
    answer.resolve([series(1, 'train_loss', [1, 2, 3])]);
    await loading;
    expect(store.rows(1, 'train_loss').map((r) => r[0])).toEqual([1, 2, 3, 4]);
  });

  it('re-fetches a series downsampled once it outgrows maxPoints, so memory stays bounded', async () => {
    const requested: number[] = [];
    const fake = seriesHost((ids, names, maxPoints) => {
      requested.push(maxPoints);
      const held = requested.length === 1 ? steps(1, 10) : steps(1, 10).map((s) => s * 10); // the host's downsampled view
      return ids.flatMap((id) => names.map((n) => series(id, n, held, requested.length === 1 ? 10 : 100)));
    });
    const store = new SeriesStore(fake.host, ['train_loss'], { maxPoints: 10 });
    await store.setRuns([1]);
    store.receive(1, steps(11, 12).map((s) => point(s)));
    expect(store.refetches).toBe(0);
    store.receive(1, steps(13, 100).map((s) => point(s)));
    expect(store.refetches).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(requested).toEqual([10, 10]);
    expect(store.rows(1, 'train_loss').length).toBe(10);
    expect(store.heldPoints()).toBeLessThanOrEqual(10 * 1.25);
  });

  it('replaces the tail when a resumed run reports steps it had reported before', async () => {
    const store = new SeriesStore(seriesHost(() => [series(1, 'train_loss', [1, 2, 3, 4, 5])]).host, ['train_loss']);
    await store.setRuns([1]);
    store.receive(1, [point(4, 9), point(5, 9), point(6, 9)]);
    expect(store.rows(1, 'train_loss').map((r) => [r[0], r[1]])).toEqual([[1, 1], [2, 1], [3, 1], [4, 9], [5, 9], [6, 9]]);
  });

  it('forgets runs it no longer follows and fetches only new ones', async () => {
    const fetched: number[][] = [];
    const store = new SeriesStore(seriesHost((ids) => (fetched.push(ids), ids.map((id) => series(id, 'train_loss', [1])))).host, ['train_loss']);
    await store.setRuns([1, 2]);
    await store.setRuns([2, 3]);
    expect(fetched).toEqual([[1, 2], [3]]);
    expect(store.rows(1, 'train_loss')).toEqual([]);
    expect(store.rows(3, 'train_loss').length).toBe(1);
  });

  it('receives pushed points through the hub, and stops when detached', async () => {
    const fake = seriesHost(() => [series(1, 'train_loss', [1])]);
    const hub = new MetricsHub(fake.host);
    const store = new SeriesStore(fake.host, ['train_loss']);
    const detach = hub.add(store);
    await store.setRuns([1]);
    fake.emit('run/metrics', { runId: 1, points: [point(2)] });
    expect(store.rows(1, 'train_loss').length).toBe(2);
    detach();
    fake.emit('run/metrics', { runId: 1, points: [point(3)] });
    expect(store.rows(1, 'train_loss').length).toBe(2);
    hub.dispose();
  });

  it('prefetches a whole sweep before its runs are known, and setRuns then asks only for what it lacks', async () => {
    const answer = deferred<MetricSeries[]>();
    const calls: { runIds?: number[]; sweepId?: number }[] = [];
    const fake = new FakeHost().handle('metrics/series', (p) => {
      calls.push({ runIds: p.runIds, sweepId: p.sweepId });
      return p.sweepId !== undefined ? answer.promise : (p.runIds ?? []).map((id) => series(id, 'train_loss', [1]));
    });
    let changes = 0;
    const store = new SeriesStore(fake.host, ['train_loss'], { onChange: () => changes++ });
    const prefetched = store.prefetchSweep(4);
    expect(store.prefetchSweep(4)).toBe(prefetched); // one request, however often asked
    store.receive(1, [point(3)]); // pushed while the answer is on its way: kept for the sweep's runs...
    store.receive(9, [point(1)]); // ...and dropped for runs outside it
    const following = store.setRuns([1, 2, 3]); // the runs arrive before the series
    answer.resolve([series(1, 'train_loss', [1, 2]), series(2, 'train_loss', [])]);
    await following;
    expect(calls).toEqual([{ runIds: undefined, sweepId: 4 }, { runIds: [3], sweepId: undefined }]);
    expect(store.rows(1, 'train_loss').map((r) => r[0])).toEqual([1, 2, 3]);
    expect(store.rows(2, 'train_loss')).toEqual([]);
    expect(store.rows(3, 'train_loss').map((r) => r[0])).toEqual([1]);
    expect(store.rows(9, 'train_loss')).toEqual([]);
    expect(store.runs).toEqual([1, 2, 3]);
    expect(changes).toBeGreaterThanOrEqual(2);
    await store.prefetchSweep(4); // already following runs: nothing to do
    expect(calls).toHaveLength(2);
  });
});
