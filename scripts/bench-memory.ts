// The memory section of `npm run bench` (issue #8, target 5): on the reference config (LLaMA hidden 256, 4 layers,
// 8 heads, vocab 4096; LoRA r 8 on q,v; AdamW) at seq 128 (batch 8, the throughput bench's batch) and seq 512
// (batch 2), with and without gradient checkpointing, each in its own process: the peak memory of one update as
// tfjs counts it (tf.profile's peakBytes) against the pre-flight estimate (PASS when peak ≤ 1.2 × estimate), and
// how much of the step's own memory (peak − what was held before it) checkpointing leaves at seq 512 (PASS ≤ 0.5).
// Also shown: the peak of distinct buffers (tfjs counts a tensor sharing another's buffer again) and the process's
// peak RSS against the estimate with the runtime.
//   tsx scripts/bench-memory.ts [--json] [--backend cpu]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryBenchResult } from './bench-memory-child';

const here = path.dirname(fileURLToPath(import.meta.url));
const CASES: [number, number][] = [[8, 128], [2, 512]];
export const PEAK_LIMIT = 1.2;
export const ACTIVATION_LIMIT = 0.5;

type Failed = { batch: number; seq: number; checkpointing: boolean; error: string };

export interface MemoryBench {
  backend: string;
  results: (MemoryBenchResult | Failed)[];
}

function runChild(backend: string, batch: number, seq: number, checkpointing: boolean): MemoryBenchResult | Failed {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-memory-child.ts'), backend, String(batch), String(seq), checkpointing ? 'on' : 'off'], {
    encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const parsed = line ? (JSON.parse(line) as MemoryBenchResult | { error: string }) : { error: r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.status}` };
  return 'error' in parsed ? { batch, seq, checkpointing, error: parsed.error } : parsed;
}

/** wasm by default: the fastest backend that always loads here; the accounting is the engine's, the same on each. */
export function benchMemory(backend = 'wasm'): MemoryBench {
  const results: (MemoryBenchResult | Failed)[] = [];
  for (const [batch, seq] of CASES) {
    for (const checkpointing of [false, true]) {
      process.stderr.write(`bench: memory of one update, batch ${batch} × seq ${seq}, checkpointing ${checkpointing ? 'on' : 'off'} (${backend})…\n`);
      results.push(runChild(backend, batch, seq, checkpointing));
    }
  }
  return { backend, results };
}

const MiB = (b: number) => (b / 1024 ** 2).toFixed(1);
const ok = (r: MemoryBenchResult | Failed): r is MemoryBenchResult => !('error' in r);

/** Step memory (peak − held before) with checkpointing over without, at the longest sequence measured. */
export function activationRatio(bench: MemoryBench): number | null {
  const seq = Math.max(...CASES.map(([, s]) => s));
  const find = (gc: boolean) => bench.results.filter(ok).find((r) => r.seq === seq && r.checkpointing === gc);
  const off = find(false);
  const on = find(true);
  return off && on ? (on.peakBytes - on.heldBefore) / (off.peakBytes - off.heldBefore) : null;
}

export function printMemory(bench: MemoryBench): void {
  console.log('');
  console.log(`memory of one training update on ${bench.backend} (reference config; LoRA r 8 on q,v; AdamW), MiB; estimate = the pre-flight's, runtime excluded unless said:`);
  console.log('batch × seq  checkpointing  tf peak  estimate  peak/est (≤1.2)  step peak  step est  buffers peak  RSS peak  est.+runtime  update s');
  for (const r of bench.results) {
    const label = `${`${r.batch} × ${r.seq}`.padEnd(12)} ${(r.checkpointing ? 'on' : 'off').padEnd(13)}`;
    if (!ok(r)) {
      console.log(`${label} failed: ${r.error.slice(0, 100)}`);
      continue;
    }
    const ratio = r.peakBytes / r.estimateTensorBytes;
    const verdict = ratio <= PEAK_LIMIT ? 'PASS' : 'MISS';
    console.log([
      label, MiB(r.peakBytes).padStart(8), MiB(r.estimateTensorBytes).padStart(9), `${ratio.toFixed(3)} ${verdict}`.padStart(16),
      MiB(r.peakBytes - r.heldBefore).padStart(10), MiB(r.estimateStepBytes).padStart(9), MiB(r.bufferPeakBytes).padStart(13),
      MiB(r.rssPeakBytes).padStart(9), MiB(r.estimateTotalBytes).padStart(13), r.stepSeconds.toFixed(2).padStart(9),
    ].join(' '));
  }
  const a = activationRatio(bench);
  if (a !== null) {
    const seq = Math.max(...CASES.map(([, s]) => s));
    console.log(`step memory at seq ${seq} with / without checkpointing (peak − held before the update): ${a.toFixed(3)} ${a <= ACTIVATION_LIMIT ? 'PASS' : 'MISS'} (≤ ${ACTIVATION_LIMIT})`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--backend');
  const bench = benchMemory(i > 0 ? process.argv[i + 1] : 'wasm');
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(bench, null, 2)}\n`);
  else printMemory(bench);
}
