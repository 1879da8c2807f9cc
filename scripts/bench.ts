// `npm run bench`: training and generation throughput per TensorFlow.js backend, each measured in its own
// process, medians of several repeats, ratios computed within this one run. Reference config (issue #2):
// LLaMA-style, hidden 256, 4 layers, 8 heads, vocab 4096, seq 128, batch 8, LoRA r 8 on q,v, AdamW.
// Prints a table and the FLOP accounting; `--json` prints the raw figures.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import type { BenchResult } from './bench-child';
import { benchHost } from './bench-host';
import { benchQuant, printQuant } from './bench-quant';

const here = path.dirname(fileURLToPath(import.meta.url));
const BACKENDS = ['wasm', 'webgpu', 'tensorflow', 'cpu'] as const;

function runChild(backend: string): BenchResult | { backend: string; error: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-child.ts'), backend], {
    encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return { backend, error: r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.status}` };
  return JSON.parse(line) as BenchResult | { backend: string; error: string };
}

const f1 = (x: number) => x.toFixed(1);
const results = BACKENDS.map((b) => {
  process.stderr.write(`bench: ${b}…\n`);
  return runChild(b);
});
if (process.argv.includes('--json')) {
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
  console.log('backend     device                                   train tok/s  step s (median of n)  GFLOP/s  matmul GFLOP/s  step/matmul  gen tok/s');
  for (const r of results) {
    if ('error' in r) {
      console.log(`${r.backend.padEnd(11)} unavailable: ${r.error.slice(0, 110)}`);
      continue;
    }
    console.log([
      r.backend.padEnd(11), r.device.slice(0, 40).padEnd(40),
      f1(r.trainTokensPerSecond).padStart(11), `${r.stepSeconds.toFixed(3)} (n=${r.repeats})`.padStart(21),
      f1(r.achievedGflops).padStart(8), f1(r.matmulGflops).padStart(15), `${(100 * r.achievedGflops / r.matmulGflops).toFixed(0)}%`.padStart(12),
      f1(r.generateTokensPerSecond).padStart(10),
    ].join(' '));
  }
  const wasm = ok.find((r) => r.backend === 'wasm');
  if (wasm) for (const r of ok) if (r !== wasm) console.log(`ratio ${r.backend}/wasm training tokens/s: ${(r.trainTokensPerSecond / wasm.trainTokensPerSecond).toFixed(2)}`);
}
const quant = benchQuant();
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(quant, null, 2)}\n`);
else printQuant(quant);
process.stderr.write('bench: host responsiveness during a 2-run sweep…\n');
const h = await benchHost();
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`host during a ${h.runs}-run sweep (${h.seconds.toFixed(1)} s, 2 workers): event-loop lag p50 ${ms(h.eventLoopLagMs.p50)}, p99 ${ms(h.eventLoopLagMs.p99)}, max ${ms(h.eventLoopLagMs.max)}; ` +
  `a runs/list request takes ${ms(h.requestMs.median)} median, ${ms(h.requestMs.max)} max (n=${h.requestMs.n})`);
