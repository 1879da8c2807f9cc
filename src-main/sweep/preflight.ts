// The pre-flight table of a sweep: for every cell, before anything is queued, whether it can run, PEFT's
// trainable-parameter numbers, a memory estimate at its base bit width, whether that fits the backend's budget,
// and (after a probe) the time it will take. Impossible and duplicate cells are flagged here, not discovered later.
import * as os from 'node:os';
import type { CellPreflight, Preflight } from '../../src-shared/domain/preflight';
import type { SweepCell, SweepSpec } from '../../src-shared/domain/sweep-spec';
import { expandGrid } from '../../src-shared/domain/grid';
import { isPeftLabError } from '../../src-shared/errors';
import { adapterMethod } from '../engine/adapters/index';
import type { ModelShape } from '../engine/adapters/types';
import { baseWeightBytesAt, estimateTrainingMemory } from '../engine/plan/memory';
import { planParameters } from '../engine/plan/params';
import { cellAvailability, cellMethodConfig, engineMethod } from './cells';

export interface PreflightContext {
  model: ModelShape;
  maxSteps: number;
  trainExamples: number;
  validationExamples: number;
  /** Backend the runs will use (resolved from 'auto'). */
  backend: string;
  /** Seconds per update from earlier probes, by cell key. */
  probed?: Map<string, number>;
  /** Why the model folder cannot train (no weights, no tokenizer, weights unlike config.json): see model-check.ts. */
  modelProblems?: string[];
}

/** Memory a run on this backend may use: wasm is a 32-bit heap (4 GiB at most); all share the machine's free RAM. */
export function memoryBudget(backend: string): { bytes: number; basis: string } {
  const free = os.freemem();
  if (backend === 'wasm') {
    const cap = 4 * 1024 ** 3;
    return free < cap ? { bytes: free, basis: 'free system memory' } : { bytes: cap, basis: 'the 4 GiB address space of the wasm backend' };
  }
  if (backend === 'webgpu') return { bytes: free, basis: 'free system memory (GPU memory cannot be queried through WebGPU)' };
  return { bytes: free, basis: 'free system memory' };
}

function planCell(spec: SweepSpec, cell: SweepCell, ctx: PreflightContext): Omit<CellPreflight, 'stepSeconds' | 'estimatedSeconds'> & { signature: string | null } {
  const empty = { cell, trainableParams: null, allParams: null, peftLine: null, adaptedModules: null, memory: null, fits: null, signature: null };
  const availability = cellAvailability(cell);
  if (availability.state === 'impossible') return { ...empty, availability };
  let report;
  let activations;
  try {
    const method = adapterMethod(engineMethod(cell));
    const cfg = method.parseConfig(cellMethodConfig(spec, cell), `cell ${cell.label}`);
    report = planParameters(ctx.model, method, cfg);
    activations = method.activations?.(ctx.model, cfg);
  } catch (e) {
    if (availability.state === 'unavailable') return { ...empty, availability };
    if (isPeftLabError(e)) return { ...empty, availability: { state: 'impossible', reason: e.message } };
    throw e;
  }
  const memory = estimateTrainingMemory(ctx.model, {
    trainableParams: report.trainable, baseParams: report.base, baseBitsPerParam: cell.bits, baseWeightBytes: baseWeightBytesAt(ctx.model, cell.bits),
    batchSize: spec.training.batchSize, seqLen: spec.sequence.maxLength,
    gradientCheckpointing: spec.training.gradientCheckpointing, method: activations,
  });
  const signature = JSON.stringify([cell.method === 'qlora' ? 'lora' : cell.method, cell.bits, [...report.modules].sort(), report.trainable, cell.r, cell.loraAlpha, cell.learningRate, cell.seed]);
  return {
    cell, availability, trainableParams: report.trainable, allParams: report.all, peftLine: report.line,
    adaptedModules: report.modules.length, memory, fits: memory.totalBytes <= memoryBudget(ctx.backend).bytes, signature,
  };
}

export function preflight(spec: SweepSpec, ctx: PreflightContext): Preflight {
  const seen = new Map<string, SweepCell>();
  const warnings: string[] = [];
  const cells = expandGrid(spec).map((cell): CellPreflight => {
    const { signature, ...p } = planCell(spec, cell, ctx);
    if (signature && p.availability.state !== 'impossible') {
      const first = seen.get(signature);
      if (first) p.availability = { state: 'duplicate', of: first.key, reason: `resolves to exactly the same run as "${first.label}"` };
      else seen.set(signature, cell);
    }
    const stepSeconds = ctx.probed?.get(cell.key) ?? null;
    return { ...p, stepSeconds, estimatedSeconds: stepSeconds === null ? null : stepSeconds * ctx.maxSteps };
  });
  const runnable = cells.filter((c) => c.availability.state === 'ok').length;
  if (runnable === 0) warnings.push('no cell of this grid can run; change the axes');
  for (const p of ctx.modelProblems ?? []) warnings.push(`cannot train: ${p}`);
  if (cells.some((c) => c.fits === false)) warnings.push(`some cells need more memory than ${memoryBudget(ctx.backend).basis} allows`);
  return {
    cells, maxSteps: ctx.maxSteps, trainExamples: ctx.trainExamples, validationExamples: ctx.validationExamples,
    memoryBudget: memoryBudget(ctx.backend), backend: ctx.backend, warnings,
  };
}
