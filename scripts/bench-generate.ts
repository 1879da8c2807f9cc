// The generation section of `npm run bench` (issue #8, target 6): decoding with the KV cache vs recomputing the
// whole prefix at 256 tokens of context (target: at least 5× faster), and review generation for N runs on one
// loaded base vs a base load per run. Each backend is measured in its own process (bench-generate-child.ts).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerateBench } from './bench-generate-child';
import { CONFIG, R, TARGETS } from './bench-model';

export const GENERATE_TARGET = 5;
/** Tokens of context the KV-cache comparison runs at. */
export const CONTEXT = 256;

type Failed = { backend: string; error: string };
const here = path.dirname(fileURLToPath(import.meta.url));
const BACKENDS = ['wasm', 'webgpu'] as const;

export function benchGenerate(): (GenerateBench | Failed)[] {
  return BACKENDS.map((backend) => {
    process.stderr.write(`bench: generation at ${CONTEXT} tokens of context and review generation on ${backend}…\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'bench-generate-child.ts'), backend], {
      encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20,
    });
    const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) return { backend, error: r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.status}` };
    return JSON.parse(line) as GenerateBench | Failed;
  });
}

const ms = (x: number) => (1000 * x).toFixed(1);
const f2 = (x: number) => x.toFixed(2);

export function printGenerate(results: (GenerateBench | Failed)[]): void {
  console.log('');
  console.log(`generation (target 6), reference model (hidden ${CONFIG.hidden_size}, ${CONFIG.num_hidden_layers} layers, vocab ${CONFIG.vocab_size}), greedy, at ${CONTEXT} tokens of context:`);
  console.log('  backend   KV cache ms/token  tok/s   recompute prefix ms/token  tok/s   ratio  target        prefill ms  same tokens');
  for (const r of results) {
    if ('error' in r) {
      console.log(`  ${r.backend.padEnd(8)}unavailable: ${r.error.slice(0, 110)}`);
      continue;
    }
    console.log(`  ${r.backend.padEnd(8)}${ms(r.cachedSecondsPerToken).padStart(18)}${(1 / r.cachedSecondsPerToken).toFixed(1).padStart(7)}${ms(r.recomputeSecondsPerToken).padStart(28)}` +
      `${(1 / r.recomputeSecondsPerToken).toFixed(1).padStart(7)}${f2(r.ratio).padStart(7)}×  ≥ ${GENERATE_TARGET}: ${r.ratio >= GENERATE_TARGET ? 'PASS' : 'MISS'}${ms(r.prefillSeconds).padStart(12)}  ${r.sameTokens ? 'yes' : 'NO'}` +
      `  (${r.newTokens} new tokens, n=${r.repeats})`);
  }
  const ok = results.filter((r): r is GenerateBench => !('error' in r));
  if (ok.length === 0) return;
  const v = ok[0].review;
  console.log(`  review generation for N runs: generation-plan.ts puts runs sharing a base (model, bit width) into one job; generate-job.ts loads that base once`);
  console.log(`  and switches the runs' adapters on it (AdapterLibrary). N = ${v.adapters} LoRA adapters (r ${R} on ${TARGETS.join(',')}), a ${v.promptTokens}-token prompt each:`);
  console.log('  backend   one loaded base s  base per adapter s  saved s (median of pairs)  of which (N−1) × (loadModel + first use) s  switch ms  new tokens');
  for (const r of ok) {
    const w = r.review;
    const expected = (w.adapters - 1) * (w.baseLoadSeconds + w.firstUseSeconds);
    console.log(`  ${r.backend.padEnd(8)}${f2(w.oneBaseSeconds).padStart(19)}${f2(w.basePerAdapterSeconds).padStart(20)}${f2(w.savedSeconds).padStart(26)}` +
      `${`${w.adapters - 1} × (${ms(w.baseLoadSeconds)} + ${ms(w.firstUseSeconds)} ms) = ${f2(expected)}`.padStart(41)}${ms(w.switchSeconds).padStart(11)}${String(w.newTokens).padStart(12)}`);
  }
  console.log(`  Loading a base (${(v.baseFileBytes / 2 ** 20).toFixed(0)} MiB here), its first use and its disposal are paid once per job instead of once per run; switching`);
  console.log('  adapters costs the switch column. At this size the saving is a fraction of a second; it grows with the base (and a base per run in its own');
  console.log('  worker would also add a process start per run).');
}

