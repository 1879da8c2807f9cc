// The load benchmark's seeder writes metric points and their min/max buckets straight into SQLite: its buckets
// must be the ones the metrics repository computes for the same points, or the benchmark would time reads of a
// store the app never makes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { seedLoadStore } from '../../scripts/bench-load-seed';
import type { LoadLayout } from '../../scripts/bench-load-seed';
import { tempDir } from './fixtures';

const SMALL: LoadLayout = { smallSweeps: 1, smallRuns: 2, bigRuns: 3, steps: 300, evalEvery: 25, prompts: 2, judgements: 5 };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const BUCKETS = 'SELECT run_id, name, level, bucket, n, lo_step, lo_value, hi_step, hi_value FROM metric_buckets ORDER BY run_id, name, level, bucket';

describe('bench-load seeder', () => {
  it('writes the runs, points and the same buckets as the metrics repository', () => {
    const dir = tempDir();
    dirs.push(dir);
    const seeded = seedLoadStore(path.join(dir, 'seeded'), SMALL);
    expect(seeded.runs).toBe(5);
    // 300 training points + 12 validation points per run.
    expect(seeded.metricRows).toBe(5 * 312);
    const a = openStore(path.join(dir, 'seeded', 'peft-lab.db'));
    const b = openStore(':memory:');
    try {
      const sweeps = a.sweeps.list();
      expect(sweeps.map((s) => s.counts.finished)).toEqual([2, 3]);
      expect(sweeps[1].id).toBe(seeded.bigSweepId);
      expect(a.reviewPrompts.list(seeded.bigSweepId)).toHaveLength(2);
      // (3 runs + base) × 2 prompts
      expect(a.samples.listBySweep(seeded.bigSweepId)).toHaveLength(8);
      b.models.insert({ ...a.models.list()[0] });
      b.datasets.insert({ ...a.datasets.list()[0] });
      // The same points through the repository, which recomputes every bucket they touch.
      for (const sw of sweeps) {
        const copy = b.sweeps.insert({ name: sw.name, spec: sw.spec, status: 'finished' });
        const runs = a.runs.list({ sweepId: sw.id });
        const ids = b.runs.insertMany(copy.id, runs.map((r) => ({
          cell: r.cell, label: r.label, spec: {}, seed: r.cell.seed, modelId: 1, datasetId: 1, datasetSha256: null, templateText: null, maxSteps: r.maxSteps,
          trainableParams: null, allParams: null, outputDir: null,
        })));
        runs.forEach((r, i) => {
          expect(ids[i].id).toBe(r.id);
          b.metrics.append(r.id, [...a.metrics.series(r.id, 'train_loss'), ...a.metrics.series(r.id, 'val_loss')]);
        });
      }
      const mine = a.db.prepare(BUCKETS).all();
      expect(mine.length).toBeGreaterThan(5 * 2 * 9);
      expect(mine).toEqual(b.db.prepare(BUCKETS).all());
      expect(a.metrics.overview(1, 'train_loss', 50).total).toBe(300);
    } finally {
      a.close();
      b.close();
    }
  });
});
