// The load benchmark's store (issue #9, "Load"): 1,000 finished runs × 10,000 training-loss points (plus a
// validation point every 100 steps), about 10.1 million metric rows, with their min/max buckets (migration 5) and a
// review study on the largest sweep (prompts, outputs, ratings, blind judgements). Layout: ten sweeps of 50 runs,
// then "big", one sweep of 500 runs (r × targets × bits × learning rate × seed), created last so that it is the
// newest sweep, the one the app opens on. Sweeps, runs and review rows go through the store's repositories;
// metric points and their buckets are written straight into SQLite with prepared statements in large transactions
// (buckets computed in JS by the same rule as repos/metric-buckets.ts; test/store/bench-load-seed.test.ts checks
// them against the repository on a small store). A seeded folder is kept under the OS temp dir and reused while
// the schema version and the layout are unchanged, so repeated benchmarks skip the minute of seeding.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import type { SweepCell, SweepSpec } from '../src-shared/domain/sweep-spec';
import type { SampleMeta } from '../src-shared/domain/review';
import { seededRandom } from '../src-shared/review/rng';
import { openStore } from '../src-main/store/db';
import type { Store } from '../src-main/store/db';
import { LATEST_VERSION } from '../src-main/store/migrations/index';
import { BASE_SHIFT, LEVEL_SHIFT, TOP_LEVEL } from '../src-main/store/repos/metric-buckets';
import { DATASET, MODEL, SPEC } from '../test/store/fixtures';

export interface LoadLayout {
  /** Sweeps of `smallRuns` runs each, created before the big one. */
  smallSweeps: number;
  smallRuns: number;
  /** Runs of the big sweep (at most 500: the product of its axes). */
  bigRuns: number;
  /** Training-loss points per run (steps 1…steps); a validation point every `evalEvery` steps. */
  steps: number;
  evalEvery: number;
  /** Review prompts of the big sweep; every run and the base model answer each. */
  prompts: number;
  judgements: number;
}

export const FULL_LAYOUT: LoadLayout = { smallSweeps: 10, smallRuns: 50, bigRuns: 500, steps: 10_000, evalEvery: 100, prompts: 8, judgements: 2000 };

export interface LoadStore {
  dataDir: string;
  layout: LoadLayout;
  bigSweepId: number;
  runs: number;
  metricRows: number;
  /** Seconds the seeding took (0 when a cached folder was reused). */
  seedSeconds: number;
  reused: boolean;
}

const R = [4, 8, 16, 32, 64];
const TARGETS = ['attention-qv', 'all-linear'] as const;
const LRS = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3];
const SEEDS = [1, 2, 3, 4, 5];

function cellsOf(bits: readonly (32 | 4)[], seeds: readonly number[], limit: number): SweepCell[] {
  const out: SweepCell[] = [];
  for (const b of bits) for (const t of TARGETS) for (const r of R) for (const lr of LRS) for (const seed of seeds) {
    const method = b === 4 ? 'qlora' : 'lora';
    const label = `${method} · r=${r} · ${t === 'attention-qv' ? 'attention q,v' : 'all linear'} · ${b}-bit · lr ${lr} · s${seed}`;
    out.push({ key: `${method}|r${r}|${t}|b${b}|a${2 * r}|lr${lr}|s${seed}`, label, method, r, targets: { preset: t }, bits: b, loraAlpha: 2 * r, learningRate: lr, seed });
  }
  return out.slice(0, limit);
}

function specOf(name: string, l: LoadLayout, big: boolean): SweepSpec {
  return {
    ...SPEC, name, training: { ...SPEC.training, maxSteps: l.steps, evalEvery: l.evalEvery },
    axes: big
      ? { method: ['lora', 'qlora'], r: R, targets: TARGETS.map((preset) => ({ preset })), bits: [32, 4], learningRate: LRS, seed: SEEDS }
      : { method: ['lora'], r: R, targets: TARGETS.map((preset) => ({ preset })), bits: [32], learningRate: LRS },
  };
}

/** [step, value] of one run's training loss (every step) and validation loss (every evalEvery steps). */
export function runHistory(runIndex: number, l: LoadLayout): { train: Float64Array; val: Float64Array } {
  const rand = seededRandom(7000 + runIndex);
  const floor = 0.5 + 0.001 * (runIndex % 500);
  const rate = 1 / (800 + 3 * (runIndex % 700));
  const train = new Float64Array(l.steps);
  const val = new Float64Array(l.evalEvery > 0 ? Math.floor(l.steps / l.evalEvery) : 0);
  for (let step = 1; step <= l.steps; step++) {
    const mean = floor + 2.4 * Math.exp(-step * rate);
    train[step - 1] = mean * (1 + (rand() - 0.5) * 0.3) + (rand() < 0.0005 ? 1 + rand() : 0);
    if (l.evalEvery > 0 && step % l.evalEvery === 0) val[step / l.evalEvery - 1] = mean * 1.05 + 0.05;
  }
  return { train, val };
}

type Summary = { bucket: number; n: number; lo: number; hi: number };

/** Buckets at every level of one series given ascending steps and values (finite values: no NULL ordering). */
export function bucketsOf(steps: ArrayLike<number>, values: ArrayLike<number>): Summary[][] {
  const levels: Summary[][] = [];
  // Indices into steps/values of each bucket's lowest and highest point; ties go to the earlier step.
  let cur: Summary[] = [];
  for (let i = 0; i < steps.length; i++) {
    const b = Math.floor(steps[i] / (1 << BASE_SHIFT));
    const last = cur[cur.length - 1];
    if (!last || last.bucket !== b) cur.push({ bucket: b, n: 1, lo: i, hi: i });
    else {
      last.n += 1;
      if (values[i] < values[last.lo]) last.lo = i;
      if (values[i] > values[last.hi]) last.hi = i;
    }
  }
  levels.push(cur);
  for (let level = 1; level <= TOP_LEVEL; level++) {
    const up: Summary[] = [];
    for (const c of cur) {
      const b = Math.floor(c.bucket / (1 << LEVEL_SHIFT));
      const last = up[up.length - 1];
      if (!last || last.bucket !== b) up.push({ ...c, bucket: b });
      else {
        last.n += c.n;
        if (values[c.lo] < values[last.lo]) last.lo = c.lo;
        if (values[c.hi] > values[last.hi]) last.hi = c.hi;
      }
    }
    levels.push(up);
    cur = up;
  }
  return levels;
}

interface Writers { point: Database.Statement; bucket: Database.Statement }

function writers(db: Database.Database): Writers {
  return {
    point: db.prepare('INSERT INTO metrics (run_id, name, step, value, epoch, tokens) VALUES (?, ?, ?, ?, ?, ?)'),
    bucket: db.prepare(`INSERT INTO metric_buckets (run_id, name, level, bucket, n, lo_step, lo_value, lo_epoch, lo_tokens,
      hi_step, hi_value, hi_epoch, hi_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
}

const TOKENS_PER_STEP = 512;
const STEPS_PER_EPOCH = 2000;

/** Writes one series' points and buckets (inside the caller's transaction); returns the points written. */
function writeSeries(w: Writers, runId: number, name: string, steps: ArrayLike<number>, values: ArrayLike<number>): number {
  const epoch = (s: number) => s / STEPS_PER_EPOCH;
  for (let i = 0; i < steps.length; i++) w.point.run(runId, name, steps[i], values[i], epoch(steps[i]), steps[i] * TOKENS_PER_STEP);
  bucketsOf(steps, values).forEach((level, L) => {
    for (const b of level) {
      const lo = steps[b.lo];
      const hi = steps[b.hi];
      w.bucket.run(runId, name, L, b.bucket, b.n, lo, values[b.lo], epoch(lo), lo * TOKENS_PER_STEP, hi, values[b.hi], epoch(hi), hi * TOKENS_PER_STEP);
    }
  });
  return steps.length;
}

/** Metric rows and buckets of one run, and its final figures on the run row. */
function writeRun(store: Store, w: Writers, runId: number, index: number, l: LoadLayout): number {
  const { train, val } = runHistory(index, l);
  const trainSteps = Array.from({ length: l.steps }, (_, i) => i + 1);
  const valSteps = Array.from({ length: val.length }, (_, i) => (i + 1) * l.evalEvery);
  const n = writeSeries(w, runId, 'train_loss', trainSteps, train) + writeSeries(w, runId, 'val_loss', valSteps, val);
  store.runs.update(runId, {
    status: 'finished', step: l.steps, epoch: l.steps / STEPS_PER_EPOCH, lastLoss: train[train.length - 1], valLoss: val.length ? val[val.length - 1] : null,
    tokensPerSecond: 900 + (index % 50), startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T02:00:00.000Z',
  });
  return n;
}

const META: SampleMeta = {
  greedy: true, temperature: 0.7, topP: 1, topK: 0, maxNewTokens: 48, stopStrings: [], seed: 0, kind: 'final', stopReason: 'eos', promptTokens: 12, base: '32-bit float32',
};

/** Prompts, one output per run and prompt (and the base model's), a rating of every other output, judgements. */
function writeReview(store: Store, sweepId: number, runIds: readonly number[], l: LoadLayout): void {
  const rand = seededRandom(99);
  store.db.transaction(() => {
    const prompts = store.reviewPrompts.add(sweepId, Array.from({ length: l.prompts }, (_, i) => ({
      text: `Explain item ${i} in one sentence.`, fields: { instruction: `Explain item ${i} in one sentence.` }, reference: `Item ${i} is a small thing that does one job well.`, source: 'validation' as const,
    })));
    const byPrompt = prompts.map(() => [] as number[]);
    for (const runId of [null, ...runIds]) {
      prompts.forEach((p, k) => {
        const s = store.samples.insert({
          sweepId, runId, promptId: p.id, prompt: p.text, output: `Item ${p.id} is ${runId === null ? 'a thing' : `a small thing number ${runId % 17}`} that does one job.`,
          step: runId === null ? null : l.steps, meta: META, tokensPerSecond: 20, length: 14,
        });
        byPrompt[k].push(s.id);
        if ((s.id & 1) === 0) store.ratings.set(s.id, { score: 1 + Math.floor(rand() * 5), flags: [], note: null });
      });
    }
    for (let j = 0; j < l.judgements; j++) {
      const k = Math.floor(rand() * prompts.length);
      const ids = byPrompt[k];
      const a = ids[Math.floor(rand() * ids.length)];
      let b = ids[Math.floor(rand() * ids.length)];
      if (b === a) b = ids[(ids.indexOf(a) + 1) % ids.length];
      const v = rand();
      store.judgements.add({ sweepId, promptId: prompts[k].id, leftSampleId: a, rightSampleId: b, verdict: v < 0.45 ? 'left' : v < 0.9 ? 'right' : 'tie', rater: `rater-${j % 3}`, repeatOf: null });
    }
  })();
}

function newRuns(store: Store, sweepId: number, cells: SweepCell[], modelId: number, datasetId: number, l: LoadLayout): number[] {
  return store.runs.insertMany(sweepId, cells.map((c) => ({
    cell: c, label: c.label, spec: { cell: c.key, training: { maxSteps: l.steps } }, seed: c.seed, modelId, datasetId, datasetSha256: DATASET.sha256,
    templateText: null, maxSteps: l.steps, trainableParams: 4096 * c.r, allParams: MODEL.params, outputDir: null,
  }))).map((r) => r.id);
}

/** Seeds `dataDir` (which must not hold a store yet) with the layout; returns the big sweep's id and counts. */
export function seedLoadStore(dataDir: string, l: LoadLayout): Omit<LoadStore, 'reused'> {
  const t0 = performance.now();
  const store = openStore(path.join(dataDir, 'peft-lab.db'));
  try {
    store.settings.set('firstRunDemoSeeded', true);
    const model = store.models.insert(MODEL);
    const dataset = store.datasets.insert(DATASET);
    const w = writers(store.db);
    let index = 0;
    let metricRows = 0;
    const fill = (sweepName: string, cells: SweepCell[], big: boolean): { sweepId: number; runIds: number[] } => {
      const sweep = store.sweeps.insert({ name: sweepName, spec: specOf(sweepName, l, big), status: 'finished' });
      const runIds = newRuns(store, sweep.id, cells, model.id, dataset.id, l);
      // About 200,000 metric rows per transaction.
      const chunk = Math.max(1, Math.floor(200_000 / l.steps));
      for (let i = 0; i < runIds.length; i += chunk) {
        store.db.transaction(() => {
          for (const id of runIds.slice(i, i + chunk)) metricRows += writeRun(store, w, id, index++, l);
        })();
      }
      return { sweepId: sweep.id, runIds };
    };
    for (let s = 0; s < l.smallSweeps; s++) fill(`grid ${s + 1}: ${l.smallRuns} runs`, cellsOf([32], [42], l.smallRuns), false);
    const big = fill(`big: ${l.bigRuns} runs × ${l.steps.toLocaleString('en-US')} steps`, cellsOf([32, 4], SEEDS, l.bigRuns), true);
    if (l.prompts > 0) writeReview(store, big.sweepId, big.runIds, l);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.db.exec('ANALYZE');
    return { dataDir, layout: l, bigSweepId: big.sweepId, runs: index, metricRows, seedSeconds: (performance.now() - t0) / 1000 };
  } finally {
    store.close();
  }
}

/** The seeded folder for this layout, reused from an earlier benchmark when it finished seeding. */
export function loadStore(l: LoadLayout = FULL_LAYOUT): LoadStore {
  const key = `v${LATEST_VERSION}-${l.smallSweeps}x${l.smallRuns}-${l.bigRuns}-${l.steps}-${l.evalEvery}-${l.prompts}-${l.judgements}`;
  const root = path.join(os.tmpdir(), 'peft-lab-bench-load', key);
  const done = path.join(root, 'seeded.json');
  if (fs.existsSync(done)) return { ...(JSON.parse(fs.readFileSync(done, 'utf8')) as Omit<LoadStore, 'reused'>), seedSeconds: 0, reused: true };
  fs.rmSync(root, { recursive: true, force: true });
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const seeded = seedLoadStore(dataDir, l);
  fs.writeFileSync(done, JSON.stringify(seeded));
  return { ...seeded, reused: false };
}
