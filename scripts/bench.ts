// `npm run bench`: training and generation throughput per TensorFlow.js backend, each measured in its own
// process, medians of several repeats, ratios computed within this one run. Reference config (issue #2):
// LLaMA-style, hidden 256, 4 layers, 8 heads, vocab 4096, seq 128, batch 8, LoRA r 8 on q,v, AdamW.
// Prints a table and the FLOP accounting; `--json` prints the raw figures. Then the quantised-base section (with
// issue #8's target 4, QLoRA cost), the CPU sgemm ceiling (target 2), sweep throughput (target 3), generation
// (target 6), memory against the pre-flight estimate and gradient checkpointing (target 5), host responsiveness and
// the sweep chart's first view in Chromium (target 7), and the webgpu per-kernel profile (target 8).
// `--only train,sgemm,quant,qlora,sweep,generate,memory,host,ui,webgpu` runs just those sections (default: all but
// `qlora`, which is the target-4 part of `quant` alone, and `webgpu`, about 10 minutes on Mesa); `queue`, the scale-out
// through Redis with 1/2/3 workers (issue #10), runs only when asked for; so does `load`, the store of 1,000 runs ×
// 10,000 metric points (issue #9; seeding and Chromium take a few minutes).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import type { BenchResult } from './bench-child';
import { benchHost } from './bench-host';
import { benchQuant, printQuant } from './bench-quant';
import { benchGenerate, printGenerate } from './bench-generate';
import { benchSweep, printSweep } from './bench-sweep';
import { benchQueue, printQueue } from './bench-queue';
import { benchLoad, printLoad } from './bench-load';
import { benchMemory, printMemory } from './bench-memory';
import type { SgemmResult } from './bench-sgemm';
import { printSgemm } from './bench-sgemm';
import { benchUi, describeUiBench } from './bench-ui';
import { benchWebgpu, printWebgpu } from './bench-webgpu';
import { withMallocTunables } from '../src-main/engine/backends/malloc-tunables';

// Every child (and the workers the sweep section's host starts) runs with the malloc settings the app gives its run
// workers (malloc-tunables.ts); the 'wasm-malloc-defaults' row runs wasm with glibc's defaults, to show what they do.
const userEnv = { ...process.env };
Object.assign(process.env, withMallocTunables(process.env));

const here = path.dirname(fileURLToPath(import.meta.url));
// 'wasm-plain': wasm with its own matrix products only (no ONNX Runtime), to show what the native path adds.
// 'wasm-malloc-defaults': wasm as it ran before the malloc settings (page faults around every native product).
const BACKENDS = ['wasm', 'wasm-malloc-defaults', 'wasm-plain', 'webgpu', 'tensorflow', 'cpu'] as const;
const SECTIONS = ['train', 'sgemm', 'quant', 'qlora', 'sweep', 'generate', 'memory', 'host', 'ui', 'webgpu', 'queue', 'load'] as const;

/** `--only a,b` / `--only=a,b`: the sections to run; all when absent. */
function onlySections(argv: string[]): Set<string> {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return new Set(SECTIONS.filter((s) => s !== 'qlora' && s !== 'webgpu' && s !== 'queue' && s !== 'load'));
  const list = (argv[i].startsWith('--only=') ? argv[i].slice('--only='.length) : argv[i + 1] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const bad = list.filter((x) => !(SECTIONS as readonly string[]).includes(x));
  if (list.length === 0 || bad.length) {
    process.stderr.write(`bench: --only takes a comma-separated list of ${SECTIONS.join(', ')}${bad.length ? ` (not: ${bad.join(', ')})` : ''}\n`);
    process.exit(2);
  }
  return new Set(list);
}
const only = onlySections(process.argv);
const json = process.argv.includes('--json');

function runChild(backend: string): BenchResult | { backend: string; error: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-child.ts'), backend], {
    env: backend === 'wasm-malloc-defaults' ? userEnv : process.env, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return { backend, error: r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.status}` };
  return JSON.parse(line) as BenchResult | { backend: string; error: string };
}

const f1 = (x: number) => x.toFixed(1);
// The wasm figures vary from process to process (where the OS puts the main thread and ONNX Runtime's pool), so
// the two wasm rows are the median of three processes by step time; every process's tokens/s is printed.
const PROCESSES: Record<string, number> = { wasm: 3, 'wasm-malloc-defaults': 3, 'wasm-plain': 3 };
const spread: string[] = [];
const results = (only.has('train') ? BACKENDS : []).map((b) => {
  const n = PROCESSES[b] ?? 1;
  const runs = Array.from({ length: n }, (_, i) => {
    process.stderr.write(`bench: ${b}${n > 1 ? ` (process ${i + 1}/${n})` : ''}…\n`);
    return runChild(b);
  });
  const ok = runs.filter((r): r is BenchResult => !('error' in r)).sort((x, y) => x.stepSeconds - y.stepSeconds);
  if (n > 1 && ok.length > 0) spread.push(`${b}: train tok/s per process ${ok.map((r) => f1(r.trainTokensPerSecond)).join(', ')} (median shown)`);
  return ok.length > 0 ? ok[Math.floor((ok.length - 1) / 2)] : runs[0];
});
if (results.length === 0) {
  // the training section was left out (--only)
} else if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const ok = results.filter((r): r is BenchResult => !('error' in r));
  const first = ok[0];
  if (first) {
    console.log(`reference: ${first.config}`);
    console.log(`model FLOPs per trained token: ${(first.flopsPerToken / 1e6).toFixed(2)} MFLOP = ${first.flopsFormula}`);
    console.log(`  (N = ${first.matmulParams.toLocaleString('en-US')} matmul parameters; 6·N would be ${(6 * first.matmulParams / 1e6).toFixed(2)} MFLOP)`);
  }
  console.log('');
  console.log('backend              device                                   train tok/s  step s (median of n)  GFLOP/s  matmul GFLOP/s  step/matmul  gen tok/s');
  for (const r of results) {
    if ('error' in r) {
      console.log(`${r.backend.padEnd(20)} unavailable: ${r.error.slice(0, 110)}`);
      continue;
    }
    console.log([
      r.backend.padEnd(20), r.device.slice(0, 40).padEnd(40),
      f1(r.trainTokensPerSecond).padStart(11), `${r.stepSeconds.toFixed(3)} (n=${r.repeats})`.padStart(21),
      f1(r.achievedGflops).padStart(8), f1(r.matmulGflops).padStart(15), `${(100 * r.stepOverMatmul).toFixed(0)}%`.padStart(12),
      f1(r.generateTokensPerSecond).padStart(10),
    ].join(' '));
  }
  for (const line of spread) console.log(line);
  console.log('step/matmul: median over rounds timed back to back (a step, then the step\'s forward shapes alone) of the two rates\' ratio');
  console.log('step/own products: the same with every product one step performs (forward and backward, attention, LoRA, each');
  console.log('  BatchMatMul call recorded with its shapes and transposes) replayed alone on random operands; target 1: ≥ 70%');
  for (const r of ok) {
    if (!r.backend.startsWith('wasm')) continue;
    const o = r.ownProducts;
    console.log(`  ${r.backend}: step/matmul ${(100 * r.stepOverMatmul).toFixed(0)}%; own products ${o.calls} calls, ${(o.flops / 1e9).toFixed(2)} GFLOP at ${f1(o.gflops)} GFLOP/s, ` +
      `${(100 * o.share).toFixed(0)}% of the step's time; step/own products ${(100 * o.stepOver).toFixed(0)}% ${o.stepOver >= 0.7 ? 'PASS' : 'MISS'}`);
  }
  const wasm = ok.find((r) => r.backend === 'wasm');
  if (wasm) for (const r of ok) if (r !== wasm) console.log(`ratio ${r.backend}/wasm training tokens/s: ${(r.trainTokensPerSecond / wasm.trainTokensPerSecond).toFixed(2)}`);
}
if (only.has('sgemm')) {
  process.stderr.write('bench: float32 sgemm: numpy, ONNX Runtime, tfjs-wasm…\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-sgemm.ts')], { encoding: 'utf8', timeout: 20 * 60_000 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) console.log(`sgemm: failed (${r.stderr.trim().split('\n').slice(-2).join(' ')})`);
  else if (json) process.stdout.write(`${line}\n`);
  else printSgemm(JSON.parse(line) as SgemmResult);
}
if (only.has('quant') || only.has('qlora')) {
  const quant = benchQuant({ targetOnly: !only.has('quant') });
  if (json) process.stdout.write(`${JSON.stringify(quant, null, 2)}\n`);
  else printQuant(quant);
}
if (only.has('sweep')) {
  process.stderr.write('bench: sweep throughput, 1 vs 2 workers…\n');
  const sweep = await benchSweep();
  if (json) process.stdout.write(`${JSON.stringify(sweep, null, 2)}\n`);
  else printSweep(sweep);
}
if (only.has('queue')) {
  process.stderr.write('bench: scale-out through the Redis queue, 1/2/3 workers…\n');
  const q = await benchQueue();
  if (json) process.stdout.write(`${JSON.stringify(q, null, 2)}\n`);
  else printQueue(q);
}
if (only.has('generate')) {
  const gen = benchGenerate();
  if (json) process.stdout.write(`${JSON.stringify(gen, null, 2)}\n`);
  else printGenerate(gen);
}
if (only.has('memory')) {
  process.stderr.write('bench: memory against the pre-flight estimate, gradient checkpointing…\n');
  const memory = benchMemory();
  if (json) process.stdout.write(`${JSON.stringify(memory, null, 2)}\n`);
  else printMemory(memory);
}
if (only.has('webgpu')) {
  process.stderr.write('bench: webgpu per-kernel profile and matmul programs…\n');
  const w = benchWebgpu();
  if (json) process.stdout.write(`${JSON.stringify(w, null, 2)}\n`);
  else printWebgpu(w);
}
if (only.has('host')) {
  process.stderr.write('bench: host responsiveness during a 2-run sweep…\n');
  const h = await benchHost();
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  if (json) process.stdout.write(`${JSON.stringify(h, null, 2)}\n`);
  else {
    console.log('');
    console.log(`host during a ${h.runs}-run sweep (${h.seconds.toFixed(1)} s, 2 workers): event-loop lag p50 ${ms(h.eventLoopLagMs.p50)}, p99 ${ms(h.eventLoopLagMs.p99)}, max ${ms(h.eventLoopLagMs.max)}; ` +
      `a runs/list request takes ${ms(h.requestMs.median)} median, ${ms(h.requestMs.max)} max (n=${h.requestMs.n})`);
  }
}
if (only.has('ui')) {
  process.stderr.write('bench: the sweep loss chart of 8 runs × 100k points in Chromium…\n');
  const ui = await benchUi();
  if (json) process.stdout.write(`${JSON.stringify(ui, null, 2)}\n`);
  else {
    console.log('');
    console.log(describeUiBench(ui));
  }
}
if (only.has('load')) {
  process.stderr.write('bench: a store of 1,000 runs × 10,000 metric points: app open, runs list, chart window, summary, renderer heap…\n');
  const load = await benchLoad();
  if (json) process.stdout.write(`${JSON.stringify(load, null, 2)}\n`);
  else printLoad(load);
}
