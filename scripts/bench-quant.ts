// The quantised-base section of `npm run bench`: memory per base weight at each bit width (measured from the
// tensors vs the theory of peft-spec §2), the time dequantisation costs a training step at each width on each
// backend that loads (step time next to float32's on the same backend, and the dequantisation alone), and the
// perplexity of a trained test model on held-out text at 32/16/8/4 bits, and issue #8's target 4 (QLoRA step
// cost and base bytes against float32) with PASS/MISS. Each part runs in its own process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { BaseSpecSchema, resolveBaseOptions } from '../src-shared/domain/base-spec';
import { architectureFor } from '../src-main/engine/model/architectures/registry';
import { parseModelConfig } from '../src-main/engine/model/config';
import { baseWeightBytesAt } from '../src-main/engine/plan/memory';
import { CONFIG, QUANT_BASES, R, TARGETS } from './bench-model';
import type { QuantBenchResult } from './bench-quant-child';
import type { PerplexityResult } from './bench-quant-ppl';

const here = path.dirname(fileURLToPath(import.meta.url));
/** cpu is the reference backend: a step there takes ~25 s, seven bases would take minutes, so it is not timed. */
const BACKENDS = ['wasm', 'webgpu', 'tensorflow'] as const;

type Failed = { backend?: string; error: string };

function runScript<T>(script: string, args: string[]): T | Failed {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], {
    encoding: 'utf8', timeout: 60 * 60_000, maxBuffer: 16 << 20,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return { error: r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.status}` };
  return JSON.parse(line) as T | Failed;
}

export interface QuantBench {
  steps: (QuantBenchResult | Failed)[];
  /** Absent when only the QLoRA target was measured. */
  perplexity: PerplexityResult | Failed | null;
}

/** The whole section, or (`targetOnly`) just target 4's fp32 vs NF4 + double-quantisation comparison. */
export function benchQuant(o: { targetOnly?: boolean } = {}): QuantBench {
  const steps = BACKENDS.map((b) => {
    process.stderr.write(`bench: quantised bases on ${b}${o.targetOnly ? ' (QLoRA target only)' : ''}…\n`);
    const r = runScript<QuantBenchResult>('bench-quant-child.ts', o.targetOnly ? [b, '--target-only'] : [b]);
    return 'error' in r ? { backend: b, error: r.error } : r;
  });
  if (o.targetOnly) return { steps, perplexity: null };
  process.stderr.write('bench: perplexity at each bit width (trains the test model on first use, ~3 min)…\n');
  return { steps, perplexity: runScript<PerplexityResult>('bench-quant-ppl.ts', []) };
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, d: number, n: number) => x.toFixed(d).padStart(n);

function printMemory(first: QuantBenchResult): void {
  const config = parseModelConfig(CONFIG, 'bench config');
  const model = { config, arch: architectureFor(config) };
  console.log('');
  console.log(`base weights of the reference model (${(first.results[0].linearBytes / 4).toLocaleString('en-US')} decoder linear weights; embeddings, norms, lm_head stay float32), measured from the tensors vs theory:`);
  console.log('base                                              bits/weight measured  theory  all base bytes measured      theory');
  first.results.forEach((r, i) => {
    const o = resolveBaseOptions(BaseSpecSchema.parse(QUANT_BASES[i]));
    const theory = baseWeightBytesAt(model, o.bits, o);
    const linear = r.linearBytes * 8 / r.bitsPerWeight;
    const theoryBits = (theory - (r.baseWeightBytes - r.linearBytes)) * 8 / linear;
    console.log(`${pad(r.base, 50)}${num(r.bitsPerWeight, 4, 20)}${num(theoryBits, 4, 8)}${r.baseWeightBytes.toLocaleString('en-US').padStart(25)}${theory.toLocaleString('en-US').padStart(12)}`);
  });
}

function printSteps(steps: QuantBench['steps']): void {
  console.log('');
  console.log('dequantisation cost per LoRA training step (reference config; medians, round-robin over the bases). Whole-step');
  console.log('times vary by ±20% on a shared machine; the dequantisation alone (every decoder weight twice) is the stable figure:');
  for (const s of steps) {
    if ('error' in s) {
      console.log(`  ${s.backend}: unavailable: ${s.error.slice(0, 110)}`);
      continue;
    }
    if (s.results.length === 0) continue;
    const fp32 = s.results[0].stepSeconds;
    console.log(`  ${s.backend} (${s.device}, n=${s.repeats})`);
    console.log('    base                                              step s  vs fp32  dequantisation s/step  share of step');
    for (const r of s.results) {
      console.log(`    ${pad(r.base, 48)}${num(r.stepSeconds, 3, 8)}${num(r.stepSeconds / fp32, 2, 8)}×${num(r.dequantSeconds, 4, 22)}${num((100 * r.dequantSeconds) / r.stepSeconds, 1, 14)}%`);
    }
  }
}

function printPerplexity(p: PerplexityResult | Failed): void {
  console.log('');
  if ('error' in p) {
    console.log(`perplexity: failed: ${p.error}`);
    return;
  }
  console.log(`perplexity on held-out text (${p.heldOut.sentences} sentences, ${p.heldOut.tokens.toLocaleString('en-US')} byte tokens) of the test model: ${p.model}; ${p.training}`);
  console.log('base                                              bits/weight   loss (nats/token)  perplexity  vs fp32');
  const ref = p.rows[0].perplexity;
  for (const r of p.rows) {
    console.log(`${pad(r.base, 50)}${num(r.bitsPerWeight, 3, 11)}${num(r.loss, 5, 20)}${num(r.perplexity, 4, 12)}${num((100 * (r.perplexity - ref)) / ref, 2, 8)}%`);
  }
}

export const QLORA_STEP_TARGET = 1.25;
export const QLORA_BYTES_TARGET = 0.14;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** Target 4: step time and base bytes of QLoRA's 4-bit base against float32, per backend, with PASS/MISS. */
export function printQloraTarget(steps: QuantBench['steps']): void {
  const ok = steps.filter((s): s is QuantBenchResult => !('error' in s));
  console.log('');
  if (ok.length === 0) {
    console.log(`QLoRA cost (target 4): no backend loaded (${steps.map((s) => `${s.backend}: ${'error' in s ? s.error.slice(0, 80) : ''}`).join('; ')})`);
    return;
  }
  const q0 = ok[0].qlora;
  console.log(`QLoRA cost (target 4), reference LoRA step (r ${R} on ${TARGETS.join(',')}), fp32 base vs ${q0.base}; step times are medians of pairs timed back to back:`);
  console.log('  backend       fp32 step s  4-bit step s  ratio (median of pairs)  target');
  for (const s of ok) {
    const q = s.qlora;
    console.log(`  ${pad(s.backend, 12)}${num(q.fp32StepSeconds, 3, 12)}${num(q.qloraStepSeconds, 3, 14)}${num(q.stepRatio, 2, 24)}×  ≤ ${QLORA_STEP_TARGET}: ${verdict(q.stepRatio <= QLORA_STEP_TARGET)}  (n=${q.repeats}; ${s.device})`);
  }
  for (const s of steps) if ('error' in s) console.log(`  ${pad(s.backend ?? '?', 12)}unavailable: ${s.error.slice(0, 110)}`);
  const linear = q0.qloraLinearBytes / q0.fp32LinearBytes;
  const whole = q0.qloraBytes / q0.fp32Bytes;
  console.log(`  base bytes, quantised decoder linear weights: ${q0.qloraLinearBytes.toLocaleString('en-US')} vs ${q0.fp32LinearBytes.toLocaleString('en-US')} fp32 = ${linear.toFixed(3)}×, target ≤ ${QLORA_BYTES_TARGET}: ${verdict(linear <= QLORA_BYTES_TARGET)}  (the target's measure)`);
  console.log(`  base bytes, whole base incl. float32 embeddings, norms, lm_head: ${q0.qloraBytes.toLocaleString('en-US')} vs ${q0.fp32Bytes.toLocaleString('en-US')} = ${whole.toFixed(3)}× (${verdict(whole <= QLORA_BYTES_TARGET)} against ${QLORA_BYTES_TARGET}; ` +
    `embeddings + lm_head are ${(100 * (q0.fp32Bytes - q0.fp32LinearBytes) / q0.fp32Bytes).toFixed(0)}% of this tiny model's fp32 base)`);
  console.log('  The target refers to the quantised weights: as in Transformers/bitsandbytes, embeddings, norms and lm_head stay unquantised.');
}

export function printQuant(q: QuantBench): void {
  const first = q.steps.find((s): s is QuantBenchResult => !('error' in s) && s.results.length > 0);
  if (first) printMemory(first);
  if (first) printSteps(q.steps);
  if (q.perplexity) printPerplexity(q.perplexity);
  printQloraTarget(q.steps);
}
