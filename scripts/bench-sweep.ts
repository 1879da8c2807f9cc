// Sweep throughput (issue #8, target 3): a 4-cell CPU sweep (wasm) with 2 parallel workers should finish in at
// most 0.6× the time of 1 worker. Each sweep goes through the code path of `peft-lab sweep run sweep.json
// --concurrency N` (cli/actions/sweep.ts: an in-process host, settings/set concurrency, sweeps/create with launch,
// the scheduler's supervised worker processes, one per run), in a fresh data folder each time; concurrency 1 and 2
// alternate so that load drift hits both alike. Besides the wall time it reports how long each run's worker
// lived and how long its training steps took, so a miss can be told apart: slower steps (the cores are shared)
// vs time outside the steps (worker start-up, host overhead).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SweepSpecInput } from '../src-shared/domain/sweep-spec';
import type { RunRecord } from '../src-shared/domain/records';
import { SweepSpecSchema } from '../src-shared/domain/sweep-spec';
import { withHost } from '../src-main/cli/actions/sweep';
import type { Store } from '../src-main/store/db';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../test/helpers/tiny-tokenizer';
import { writeTinyModel } from '../test/helpers/tiny-model';
import type { CpuSplit } from './bench-cpu';
import { CpuMeter } from './bench-cpu';
import { median } from './bench-model';

export const SWEEP_TARGET = 0.6;
const REPEATS = Number(process.env.BENCH_SWEEP_REPEATS ?? 3);
const MAX_STEPS = Number(process.env.BENCH_SWEEP_STEPS ?? 60);

export interface SweepTiming {
  concurrency: number;
  /** Wall seconds from sweeps/create to the scheduler going idle, per repeat. */
  seconds: number[];
  /** Seconds each run was in the running state (its worker's life), per repeat, median over the runs. */
  runSeconds: number[];
  /** Runs in flight on average, per repeat: the runs' worker lives summed over the sweep's wall time. */
  inFlight: number[];
  /** Seconds a run spent in its training steps (sum of the step events' seconds), per repeat, median over the runs. */
  stepSeconds: number[];
  /** Seconds from a run's start to its worker's first event ('start': process, tsx, tfjs, data, weights), per repeat, median over the runs. */
  startupSeconds: number[];
  /** Where the CPU went during each sweep: the host (this process), its workers, everything else on the machine. */
  cpu: CpuSplit[];
}

export interface SweepBench {
  cells: number;
  cellConfig: string;
  cpus: number;
  runs: SweepTiming[];
  /** median(2 workers) / median(1 worker). */
  ratio: number;
  /** Median over repeats of the pairwise ratios (each 2-worker sweep against the 1-worker sweep before it). */
  pairedRatio: number;
}

async function writeStudy(root: string): Promise<{ modelDir: string; dataFile: string }> {
  const modelDir = path.join(root, 'model');
  await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 128, intermediateSize: 344, numLayers: 4, numHeads: 4, numKvHeads: 4, eosTokenId: TINY_EOS_ID, std: 0.1 });
  await writeTinyTokenizer(modelDir);
  const dataFile = path.join(root, 'data.jsonl');
  const words = ['lucid', 'stone', 'river', 'amber', 'quiet', 'north', 'ember', 'cloud'];
  const records = Array.from({ length: 64 }, (_, i) => ({
    instruction: `Define the word ${words[i % words.length]} (${i}).`,
    output: `${words[i % words.length]} is a word with the number ${i}, written ${i} times in the text of the answer.`,
  }));
  fs.writeFileSync(dataFile, records.map((r) => JSON.stringify(r)).join('\n'));
  return { modelDir, dataFile };
}

function sweepSpec(study: { modelDir: string; dataFile: string }): SweepSpecInput {
  return {
    name: 'bench sweep 2x2',
    model: study.modelDir,
    dataset: { path: study.dataFile, validationSplit: 0.125 },
    template: { kind: 'custom', prompt: '{instruction}\n', response: '{output}' },
    sequence: { maxLength: 64 },
    training: { maxSteps: MAX_STEPS, batchSize: 8, learningRate: 0.005, evalEvery: MAX_STEPS / 2, checkpointEvery: MAX_STEPS / 2 },
    axes: { r: [4, 8], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }] },
    backend: 'wasm',
  };
}

const seconds = (a: string | null, b: string | null) => (a && b ? (Date.parse(b) - Date.parse(a)) / 1000 : NaN);

/** One sweep as `peft-lab sweep run --concurrency N` runs it, in a fresh data folder. */
async function runOnce(root: string, spec: SweepSpecInput, concurrency: number, i: number): Promise<{ wall: number; run: number; inFlight: number; steps: number; startup: number; cpu: CpuSplit }> {
  const data = path.join(root, `data-c${concurrency}-${i}`);
  try {
    return await withHost({ data }, async (client, host) => {
      await client.request('settings/set', { concurrency });
      const t0 = performance.now();
      const meter = new CpuMeter();
      const sweep = await client.request('sweeps/create', { spec: SweepSpecSchema.parse(spec), launch: true });
      await host.services.scheduler.waitIdle();
      const wall = (performance.now() - t0) / 1000;
      const cpu = meter.stop();
      const runs: RunRecord[] = (await client.request('sweeps/get', { id: sweep.id })).runs;
      const bad = runs.filter((r) => r.status !== 'finished');
      if (bad.length) throw new Error(`sweep runs did not finish: ${bad.map((r) => `${r.label} ${r.status} ${r.statusReason ?? ''}`).join('; ')}`);
      const store = host.services.store;
      const startup = (id: number) => {
        const events = store.runEvents.list(id, 1000);
        return seconds(events.find((e) => e.type === 'status:running')?.time ?? null, events.find((e) => e.type === 'start')?.time ?? null);
      };
      return {
        wall, run: median(runs.map((r) => seconds(r.startedAt, r.finishedAt))), inFlight: runs.reduce((a, r) => a + seconds(r.startedAt, r.finishedAt), 0) / wall, steps: median(runs.map((r) => stepSecondsOf(store, r.id))),
        startup: median(runs.map((r) => startup(r.id))), cpu,
      };
    });
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}

/** Sum of the step times a run reported: each step's tokens over its tokens per second (the points carry running token totals). */
function stepSecondsOf(store: Store, runId: number): number {
  let total = 0;
  let before = 0;
  for (const p of store.metrics.series(runId, 'tokens_per_second')) {
    total += ((p.tokens ?? before) - before) / p.value;
    before = p.tokens ?? before;
  }
  return total;
}

export async function benchSweep(): Promise<SweepBench> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-bench-sweep-'));
  try {
    const study = await writeStudy(root);
    const spec = sweepSpec(study);
    const timings = [1, 2].map((c): SweepTiming => ({ concurrency: c, seconds: [], runSeconds: [], inFlight: [], stepSeconds: [], startupSeconds: [], cpu: [] }));
    for (let i = 0; i < REPEATS; i++) {
      for (const t of timings) {
        process.stderr.write(`bench: sweep of 4 cells, ${t.concurrency} worker(s), repeat ${i + 1}/${REPEATS}…\n`);
        const r = await runOnce(root, spec, t.concurrency, i);
        t.seconds.push(r.wall);
        t.runSeconds.push(r.run);
        t.inFlight.push(r.inFlight);
        t.stepSeconds.push(r.steps);
        t.startupSeconds.push(r.startup);
        t.cpu.push(r.cpu);
      }
    }
    const [one, two] = timings;
    return {
      cells: 4, cpus: os.cpus().length,
      cellConfig: `tiny LLaMA hidden 128, 4 layers, vocab ${TINY_VOCAB_SIZE}; LoRA r 4/8 × q,v/all-linear; ${MAX_STEPS} updates of 8 × ≤64 tokens; wasm`,
      runs: timings,
      ratio: median(two.seconds) / median(one.seconds),
      pairedRatio: median(two.seconds.map((s, i) => s / one.seconds[i])),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** Cores kept busy on average during a sweep: by the host + its workers, and by every other process. */
function cores(t: SweepTiming): { ours: number; others: number } {
  const ours = median(t.cpu.map((c, i) => (c.self + c.children) / t.seconds[i]));
  return { ours, others: median(t.cpu.map((c, i) => c.others / t.seconds[i])) };
}

export function printSweep(b: SweepBench): void {
  console.log('');
  console.log(`sweep throughput (target 3): ${b.cells}-cell sweep through the host (peft-lab sweep run), ${b.cellConfig}; ${b.cpus} CPU cores; medians of ${b.runs[0].seconds.length}`);
  console.log('workers  sweep wall s  per run: worker life s  start-up s  training steps s   cores busy: ours  others   (each repeat: wall s)');
  for (const t of b.runs) {
    const c = cores(t);
    console.log(`${String(t.concurrency).padStart(7)}${f1(median(t.seconds)).padStart(14)}${f1(median(t.runSeconds)).padStart(25)}${f1(median(t.startupSeconds)).padStart(12)}` +
      `${f1(median(t.stepSeconds)).padStart(18)}${f2(c.ours).padStart(18)}${f2(c.others).padStart(8)}   (${t.seconds.map(f1).join(', ')})`);
  }
  const [one, two] = b.runs;
  console.log(`ratio 2 workers / 1 worker: ${f2(b.ratio)} (paired per repeat: ${f2(b.pairedRatio)}), target ≤ ${SWEEP_TARGET}: ${verdict(b.ratio <= SWEEP_TARGET)}`);
  console.log(`  runs in flight on average: ${f2(median(one.inFlight))} with 1 worker, ${f2(median(two.inFlight))} with 2 (what the host keeps busy); each run's worker lives ` +
    `${f2(median(two.runSeconds) / median(one.runSeconds))}× as long with 2`);
  console.log(`  with 2 workers at once each run's training steps take ${f2(median(two.stepSeconds) / median(one.stepSeconds))}× as long and its start-up ${f2(median(two.startupSeconds) / median(one.startupSeconds))}× ` +
    `(start-up: process, tsx, tfjs, wasm, data, weights, until the 'start' event); other processes kept ${f2(cores(two).others)} of ${b.cpus} cores busy meanwhile`);
}

if (process.argv[1]?.endsWith('bench-sweep.ts')) {
  const r = await benchSweep();
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else printSweep(r);
}
