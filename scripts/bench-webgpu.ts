// Issue #8 target 8, the GPU path: where a LoRA training step's time goes on the webgpu backend, per kernel, and
// which tfjs matmul program suits the step's matrix shapes (bench-webgpu-child.ts measures, in its own process).
// `tsx scripts/bench-webgpu.ts [--json]`; bench.ts calls benchWebgpu() + printWebgpu().
// On Mesa's llvmpipe (no GPU: Dawn's OpenGL backend on a software rasteriser) the figures show where time goes on
// that rasteriser; they are for correctness and relative shares only, not GPU performance.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebgpuBenchResult } from './bench-webgpu-child';
import { median } from './bench-model';

export type { WebgpuBenchResult } from './bench-webgpu-child';
export type WebgpuBench = WebgpuBenchResult | { backend: 'webgpu'; error: string };

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs the measurement in a child process (about 5 minutes on 2 CPU cores with Mesa llvmpipe). */
export function benchWebgpu(): WebgpuBench {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-webgpu-child.ts')], {
    encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Dawn prints its validation messages on stdout too: the result is the last line that parses as ours.
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{"backend":"webgpu"'));
  const line = lines.pop();
  if (!line) {
    const tail = (r.stderr ?? '').trim().split('\n').filter((l) => !l.startsWith('bench-webgpu:')).slice(-3).join(' ');
    return { backend: 'webgpu', error: tail || `exit code ${r.status}${r.error ? ` (${r.error.message})` : ''}` };
  }
  return JSON.parse(line) as WebgpuBench;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

function shapeLabel(m: WebgpuBenchResult['matmuls'][number]): string {
  return `[${m.a.join('×')}]${m.transposeA ? 'ᵀ' : ''}·[${m.b.join('×')}]${m.transposeB ? 'ᵀ' : ''}`;
}

export function printWebgpu(r: WebgpuBench, top = 15): void {
  console.log('');
  if ('error' in r) {
    console.log(`webgpu profile: unavailable: ${r.error.slice(0, 200)}`);
    return;
  }
  const software = !r.isGpu;
  console.log(`webgpu profile of one LoRA training step on ${r.device}`);
  if (software) {
    console.log('  NOTE: Mesa llvmpipe is a software rasteriser (no GPU). These figures show where time goes on it and are for');
    console.log('  correctness and relative shares only, NOT GPU performance.');
  }
  const how = r.method === 'timestamp-query'
    ? 'GPU timestamp queries (tf.profile kernelTimeMs)'
    : `replay (no 'timestamp-query' on this adapter): each of the step's ${r.signatures} distinct kernel calls run alone on random inputs of its shapes, time per call × calls per step`;
  console.log(`  method: ${how}`);
  console.log(`  step wall ${ms(r.stepMs)} (median of 3); per-kernel sum ${ms(r.kernelSumMs)} = ${pct(r.kernelSumMs / r.stepMs)} of the step; ${r.kernelCalls} kernel calls`);
  console.log(`  ${'kernel'.padEnd(26)} ${'calls'.padStart(6)} ${'ms/step'.padStart(10)} ${'share'.padStart(7)}`);
  for (const k of r.kernels.slice(0, top)) {
    console.log(`  ${k.name.padEnd(26)} ${String(k.calls).padStart(6)} ${k.msPerStep.toFixed(1).padStart(10)} ${pct(k.share).padStart(7)}`);
  }
  const rest = r.kernels.slice(top);
  if (rest.length) console.log(`  ${`(${rest.length} others)`.padEnd(26)} ${String(rest.reduce((s, k) => s + k.calls, 0)).padStart(6)} ${rest.reduce((s, k) => s + k.msPerStep, 0).toFixed(1).padStart(10)} ${pct(rest.reduce((s, k) => s + k.share, 0)).padStart(7)}`);

  console.log('');
  console.log('  matmul programs (WEBGPU_MATMUL_PROGRAM_TYPE / WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL), ms per call:');
  const labels = r.settings.map((s) => s.label);
  const short = (l: string) => l.replace('auto (default, threshold 8)', 'default').replace('auto, threshold ', 'thr ').replace(/ \(\d\)$/, '');
  console.log(`  ${'shape'.padEnd(34)} ${'calls'.padStart(5)} ${labels.map((l) => short(l).padStart(9)).join(' ')}`);
  for (const m of r.matmuls) {
    const cells = labels.map((l) => {
      const v = m.program[l];
      return (typeof v === 'number' ? v.toFixed(2) : 'n/a').padStart(9);
    });
    console.log(`  ${shapeLabel(m).padEnd(34)} ${String(m.calls).padStart(5)} ${cells.join(' ')}`);
  }
  const per = labels.map((l) => (l in r.matmulMsPerStep ? r.matmulMsPerStep[l].toFixed(1) : 'n/a').padStart(9));
  console.log(`  ${'matmul ms per step (× calls)'.padEnd(34)} ${''.padStart(5)} ${per.join(' ')}`);
  const notes = new Set(r.matmuls.flatMap((m) => Object.values(m.program).filter((v): v is string => typeof v === 'string')));
  for (const n of notes) console.log(`  n/a: ${n}`);

  const d = median(r.step.defaultMs);
  if (r.step.best === r.settings[0].label) {
    console.log(`  best matmul setting for this step's shapes: the default (step ${ms(d)})`);
  } else {
    const b = median(r.step.bestMs);
    console.log(`  whole step, interleaved, n=${r.step.defaultMs.length} each: default ${ms(d)} vs ${r.step.best} ${ms(b)} (${((d / b - 1) * 100).toFixed(1)}% ${b < d ? 'faster' : 'slower'})`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stderr.write('bench: webgpu per-kernel profile and matmul programs…\n');
  const r = benchWebgpu();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else printWebgpu(r);
}
