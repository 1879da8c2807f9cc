// Hand-written records for the store tests, and a clock the test sets by hand.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SweepCell, SweepSpec } from '../../src-shared/domain/sweep-spec';
import type { NewDataset } from '../../src-main/store/repos/datasets';
import type { NewModel } from '../../src-main/store/repos/models';
import type { NewRun } from '../../src-main/store/repos/runs';

/** A clock that reads `at` (an ISO string the test sets). */
export function manualClock(at = '2025-01-01T00:00:00.000Z'): { at: string; clock: () => Date } {
  const c = { at, clock: () => new Date(c.at) };
  return c;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'peft-store-'));
}

export const MODEL: NewModel = {
  name: 'tiny-llama', path: '/models/tiny-llama', kind: 'weights', modelType: 'llama', hiddenSize: 64, numLayers: 2,
  vocabSize: 320, params: 123456, hasTokenizer: true, hasChatTemplate: false, dtype: 'F32',
  linearModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
};

export const CONFIG_MODEL: NewModel = {
  name: 'llama-7b card', path: '/cards/llama-7b', kind: 'config', modelType: 'llama', hiddenSize: 4096,
  numLayers: 32, vocabSize: 32000, params: 6738415616, hasTokenizer: false, hasChatTemplate: true, dtype: null,
  linearModules: [],
};

export const DATASET: NewDataset = {
  name: 'alpaca-mini', path: '/data/alpaca-mini.jsonl', format: 'jsonl',
  sha256: 'a'.repeat(64), records: 200, fields: ['instruction', 'input', 'output'], bytes: 51234,
};

export const SPEC: SweepSpec = {
  name: 'rank study',
  model: '/models/tiny-llama',
  dataset: { path: '/data/alpaca-mini.jsonl', validationSplit: 0.1, splitSeed: 0 },
  template: { kind: 'alpaca' },
  sequence: { maxLength: 128, packing: false, lossOn: 'response', addEos: true },
  training: {
    maxSteps: 20, batchSize: 4, gradientAccumulation: 1, learningRate: 2e-4, schedule: 'cosine', weightDecay: 0,
    maxGradNorm: 1, adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-8, seed: 42, evalEvery: 5, checkpointEvery: 10,
    gradientCheckpointing: false,
  },
  axes: { method: ['lora'], r: [8, 16], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], bits: [32] },
  lora: { alphaPerR: 2, dropout: 0.05 },
  backend: 'cpu',
};

export function cell(r: number, targets: 'attention-qv' | 'all-linear'): SweepCell {
  return {
    key: `lora|r${r}|${targets}|b32|a${2 * r}|lr0.0002|s42`, label: `LoRA r=${r} ${targets}`, method: 'lora', r,
    targets: { preset: targets }, bits: 32, loraAlpha: 2 * r, learningRate: 0.0002, seed: 42,
  };
}

export function newRun(c: SweepCell, modelId: number, datasetId: number | null): NewRun {
  return {
    cell: c, label: c.label, spec: { method: { kind: 'lora', r: c.r }, nested: [1, null, 'x'] }, seed: c.seed,
    modelId, datasetId, datasetSha256: datasetId === null ? null : 'a'.repeat(64),
    templateText: '### Instruction:\n{instruction}', maxSteps: 20, trainableParams: 4096 * c.r, allParams: 123456,
    outputDir: null,
  };
}
