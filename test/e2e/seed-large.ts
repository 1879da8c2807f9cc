// A data folder holding one finished sweep with long loss histories, written straight through the store's
// repositories before `peft-lab serve` opens the folder: by default 8 runs (r 8, 16 × attention q,v, all linear ×
// 32, 4 bits) × 100,000 training-loss points each, plus a validation point every 1,000 steps. The curves are
// deterministic (a decaying loss with seeded noise and a few spikes), so screenshots are comparable between runs.
import * as path from 'node:path';
import type { MetricPoint } from '../../src-shared/domain/records';
import type { SweepCell, SweepSpec } from '../../src-shared/domain/sweep-spec';
import { openStore } from '../../src-main/store/db';
import { DATASET, MODEL, SPEC } from '../store/fixtures';
import { seededRandom } from '../../src-shared/review/rng';

export interface LargeSweepOptions {
  /** Training-loss points per run (steps 1…steps). */
  steps?: number;
  /** A validation point every this many steps. */
  evalEvery?: number;
}

export interface LargeSweep {
  sweepId: number;
  name: string;
  runIds: number[];
  steps: number;
  trainPoints: number;
  valPoints: number;
  /** Seconds the seeding took. */
  seconds: number;
}

const TOKENS_PER_STEP = 512;
const STEPS_PER_EPOCH = 10_000;

function cells(): SweepCell[] {
  const out: SweepCell[] = [];
  for (const bits of [32, 4] as const) {
    for (const targets of ['attention-qv', 'all-linear'] as const) {
      for (const r of [8, 16]) {
        const method = bits === 4 ? 'qlora' : 'lora';
        const label = `${method} · r=${r} · ${targets === 'attention-qv' ? 'attention q,v' : 'all linear'} · ${bits}-bit`;
        out.push({ key: `${method}|r${r}|${targets}|b${bits}|a${2 * r}|lr0.0002|s42`, label, method, r, targets: { preset: targets }, bits, loraAlpha: 2 * r, learningRate: 0.0002, seed: 42 });
      }
    }
  }
  return out;
}

const random = (seed: number): (() => number) => seededRandom(seed);

/** One run's history: train loss every step, validation loss every `evalEvery` steps. */
function history(runIndex: number, steps: number, evalEvery: number): MetricPoint[] {
  const rand = random(1000 + runIndex);
  const floor = 0.6 + 0.08 * runIndex;
  const rate = 1 / (4000 + 1500 * runIndex);
  const points: MetricPoint[] = [];
  for (let step = 1; step <= steps; step++) {
    const mean = floor + 2.4 * Math.exp(-step * rate);
    const spike = rand() < 0.0005 ? 1 + rand() * 2 : 0;
    const value = mean * (1 + (rand() - 0.5) * 0.3) + spike;
    points.push({ name: 'train_loss', step, value, epoch: step / STEPS_PER_EPOCH, tokens: step * TOKENS_PER_STEP });
    if (evalEvery > 0 && step % evalEvery === 0) points.push({ name: 'val_loss', step, value: mean * 1.05 + 0.05, epoch: step / STEPS_PER_EPOCH, tokens: step * TOKENS_PER_STEP });
  }
  return points;
}

/** Opens (creating) `dataDir`/peft-lab.db and writes the sweep; the folder is then ready for `peft-lab serve`. */
export function seedLargeSweep(dataDir: string, o: LargeSweepOptions = {}): LargeSweep {
  const steps = o.steps ?? 100_000;
  const evalEvery = o.evalEvery ?? 1000;
  const t0 = performance.now();
  const store = openStore(path.join(dataDir, 'peft-lab.db'));
  try {
    // The first run of the host would draft the embedded demo sweep beside this one: mark it done.
    store.settings.set('firstRunDemoSeeded', true);
    const model = store.models.insert(MODEL);
    const dataset = store.datasets.insert(DATASET);
    const name = `large: ${cells().length} runs × ${steps.toLocaleString('en-US')} steps`;
    const spec: SweepSpec = {
      ...SPEC, name,
      training: { ...SPEC.training, maxSteps: steps, evalEvery },
      axes: { method: ['lora', 'qlora'], r: [8, 16], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], bits: [32, 4] },
    };
    const sweep = store.sweeps.insert({ name, spec, status: 'finished' });
    const runs = store.runs.insertMany(sweep.id, cells().map((c) => ({
      cell: c, label: c.label, spec: { cell: c.key }, seed: c.seed, modelId: model.id, datasetId: dataset.id,
      datasetSha256: dataset.sha256, templateText: null, maxSteps: steps, trainableParams: 4096 * c.r, allParams: MODEL.params, outputDir: null,
    })));
    let trainPoints = 0;
    let valPoints = 0;
    runs.forEach((run, i) => {
      const points = history(i, steps, evalEvery);
      store.metrics.append(run.id, points);
      const train = points.filter((p) => p.name === 'train_loss');
      const val = points.filter((p) => p.name === 'val_loss');
      trainPoints += train.length;
      valPoints += val.length;
      store.runs.update(run.id, {
        status: 'finished', step: steps, epoch: steps / STEPS_PER_EPOCH, lastLoss: train[train.length - 1]?.value ?? null,
        valLoss: val[val.length - 1]?.value ?? null, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T08:00:00.000Z',
      });
    });
    return { sweepId: sweep.id, name, runIds: runs.map((r) => r.id), steps, trainPoints, valPoints, seconds: (performance.now() - t0) / 1000 };
  } finally {
    store.close();
  }
}
