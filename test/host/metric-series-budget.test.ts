// A sweep of many runs: one metrics/series request shares a budget of points between its series, so the chart
// window of a 120-run sweep stays bounded while a chart of a few runs keeps every point it asks for.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SERIES_POINTS, SERIES_POINT_BUDGET, downsampleRows, pointsPerSeries } from '../../src-main/host/handlers/runs';
import type { BucketPoint } from '../../src-main/store/repos/metrics';
import { seedLoadStore } from '../../scripts/bench-load-seed';
import { startHost } from './helpers';

describe('pointsPerSeries', () => {
  it('gives each series what it asks for until the budget is shared, never fewer than the minimum', () => {
    expect(pointsPerSeries(2, 1000)).toBe(1000);
    expect(pointsPerSeries(1, 10_000)).toBe(10_000);
    expect(pointsPerSeries(100, 1000)).toBe(SERIES_POINT_BUDGET / 100);
    expect(pointsPerSeries(1000, 1000)).toBe(Math.max(MIN_SERIES_POINTS, SERIES_POINT_BUDGET / 1000));
    expect(pointsPerSeries(100_000, 1000)).toBe(MIN_SERIES_POINTS);
    expect(pointsPerSeries(100_000, 10)).toBe(10);
  });
});

describe('downsampleRows at the sizes a shared budget gives', () => {
  it('always ends with the last row (the LTTB library can stop one bucket short, e.g. 502 rows to 208)', () => {
    for (const [n, m] of [[502, 208], [2500, 50], [1001, 100], [777, 333]]) {
      const rows: BucketPoint[] = Array.from({ length: n }, (_, i) => [i + 1, 1 + Math.sin(i / 3) + (i % 7) / 10, null, null]);
      const picked = downsampleRows(rows, m);
      expect(picked, `${n} → ${m}`).toHaveLength(m);
      expect(picked[0], `${n} → ${m}`).toBe(rows[0]);
      expect(picked[m - 1], `${n} → ${m}`).toBe(rows[n - 1]);
    }
  });
});

describe('metrics/series of a sweep of 120 runs', () => {
  let root: string;
  let sweepId: number;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-series-budget-'));
    sweepId = seedLoadStore(path.join(root, 'data'), { smallSweeps: 1, smallRuns: 3, bigRuns: 120, steps: 2000, evalEvery: 50, prompts: 0, judgements: 0 }).bigSweepId;
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('shares the budget between the 240 series, keeping each series\' first and last point', async () => {
    const { client, close } = await startHost(path.join(root, 'data'));
    try {
      const out = await client.request('metrics/series', { sweepId, names: ['train_loss', 'val_loss'], maxPoints: 1000 });
      expect(out).toHaveLength(240);
      const ids = out.filter((s) => s.name === 'train_loss').map((s) => s.runId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(120);
      const per = Math.floor(SERIES_POINT_BUDGET / 240); // 208
      for (const s of out) {
        const steps = s.points.map((p) => p[0]);
        expect(s.total).toBe(s.name === 'train_loss' ? 2000 : 40);
        expect(s.points.length).toBeLessThanOrEqual(s.name === 'train_loss' ? per : 40);
        expect(s.points.length).toBeGreaterThanOrEqual(s.name === 'train_loss' ? per - 2 : 40);
        expect(steps[0]).toBe(s.name === 'train_loss' ? 1 : 50);
        expect(steps[steps.length - 1]).toBe(2000);
        expect(steps.every((x, i) => i === 0 || x > steps[i - 1])).toBe(true);
      }
      expect(out.reduce((n, s) => n + s.points.length, 0)).toBeLessThanOrEqual(SERIES_POINT_BUDGET);
      // Two runs of the same sweep asked by id: every point up to maxPoints, as before.
      const two = await client.request('metrics/series', { runIds: ids.slice(0, 2), names: ['train_loss'], maxPoints: 2000 });
      expect(two.map((s) => s.points.length)).toEqual([2000, 2000]);
      // A run named twice (by id and through its sweep) is answered once.
      const both = await client.request('metrics/series', { runIds: [ids[5]], sweepId, names: ['val_loss'], maxPoints: 1000 });
      expect(both.map((s) => s.runId)).toEqual([ids[5], ...ids.filter((id) => id !== ids[5])]);
    } finally {
      await close();
    }
  });
});
