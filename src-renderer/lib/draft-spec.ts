// The sweep builder's form as plain data, and its translation into a SweepSpec. Validation is the shared zod
// schema's, so the builder reports exactly what the host would refuse, field by field.
import type { z } from 'zod';
import type { BackendChoice } from '../../src-shared/domain/run-spec';
import type { StudyRef } from '../../src-shared/domain/study-preset';
import type { BitWidth, SweepMethod, SweepSpec, SweepSpecInput, TargetSet } from '../../src-shared/domain/sweep-spec';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import type { TemplateDraft } from './template-draft';
import { defaultTemplateDraft, templateSpecOf } from './template-draft';

export interface DraftFields {
  name: string;
  modelPath: string;
  datasetPath: string;
  validationSplit: number;
  /** A separate validation file instead of the split ('' = split); set by study presets. */
  validationPath: string;
  template: TemplateDraft;
  maxLength: number;
  packing: boolean;
  lossOn: 'response' | 'all';
  length: 'steps' | 'epochs';
  maxSteps: number;
  epochs: number;
  batchSize: number;
  gradientAccumulation: number;
  learningRate: number;
  schedule: 'cosine' | 'linear' | 'constant';
  warmupSteps: number;
  evalEvery: number;
  checkpointEvery: number;
  seed: number;
  /** Recompute layer activations during backprop (less memory, more compute). */
  gradientCheckpointing: boolean;
  backend: BackendChoice;
  alphaPerR: number;
  dropout: number;
  methods: SweepMethod[];
  ranks: number[];
  targets: TargetSet[];
  bits: BitWidth[];
  /** Optional axes: empty = not swept. */
  loraAlphas: number[];
  learningRates: number[];
  seeds: number[];
  /** The study preset the sweep started from (kept while it is edited); null = none. */
  study: StudyRef | null;
}

export function defaultDraft(): DraftFields {
  return {
    name: '', modelPath: '', datasetPath: '', validationSplit: 0.1, template: defaultTemplateDraft(),
    maxLength: 256, packing: false, lossOn: 'response',
    length: 'steps', maxSteps: 100, epochs: 1, batchSize: 8, gradientAccumulation: 1, learningRate: 2e-4,
    schedule: 'cosine', warmupSteps: 0, evalEvery: 0, checkpointEvery: 0, seed: 42, gradientCheckpointing: false, backend: 'auto',
    alphaPerR: 2, dropout: 0.05,
    methods: ['lora'], ranks: [8, 16], targets: [{ preset: 'attention-qv' }], bits: [32],
    loraAlphas: [], learningRates: [], seeds: [], validationPath: '', study: null,
  };
}

/** NaN for an empty number field: the schema then names the field. */
function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

function trainingOf(d: DraftFields): SweepSpecInput['training'] {
  const t: SweepSpecInput['training'] = {
    batchSize: num(d.batchSize), gradientAccumulation: num(d.gradientAccumulation), learningRate: num(d.learningRate),
    schedule: d.schedule, evalEvery: num(d.evalEvery), checkpointEvery: num(d.checkpointEvery), seed: num(d.seed),
    gradientCheckpointing: d.gradientCheckpointing,
  };
  if (d.length === 'steps') t.maxSteps = num(d.maxSteps);
  else t.epochs = num(d.epochs);
  if (num(d.warmupSteps) > 0) t.warmupSteps = num(d.warmupSteps);
  return t;
}

export function draftToSpecInput(d: DraftFields): SweepSpecInput {
  const axes: SweepSpecInput['axes'] = { method: [...d.methods], r: [...d.ranks], targets: d.targets.map((t) => ({ ...t })), bits: [...d.bits] };
  if (d.loraAlphas.length > 0) axes.loraAlpha = [...d.loraAlphas];
  if (d.learningRates.length > 0) axes.learningRate = [...d.learningRates];
  if (d.seeds.length > 0) axes.seed = [...d.seeds];
  return {
    name: d.name.trim(),
    model: d.modelPath,
    dataset: { path: d.datasetPath, validationSplit: num(d.validationSplit), ...(d.validationPath ? { validationPath: d.validationPath } : {}) },
    template: templateSpecOf(d.template),
    sequence: { maxLength: num(d.maxLength), packing: d.packing, lossOn: d.lossOn },
    training: trainingOf(d),
    axes,
    lora: { alphaPerR: num(d.alphaPerR), dropout: num(d.dropout) },
    backend: d.backend,
    ...(d.study ? { study: { ...d.study } } : {}),
  };
}

export interface DraftCheck {
  spec: SweepSpec | null;
  problems: string[];
}

const FIELD_NAMES: Record<string, string> = {
  name: 'Sweep name', model: 'Model', 'dataset.path': 'Dataset', 'sequence.maxLength': 'Max length',
  'axes.method': 'Methods', 'axes.r': 'r values', 'axes.targets': 'Target modules', 'axes.bits': 'Bit widths',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  const label = FIELD_NAMES[path] ?? (path || 'spec');
  return `${label}: ${issue.message}`;
}

export function checkDraft(d: DraftFields): DraftCheck {
  const problems: string[] = [];
  if (!d.modelPath) problems.push('Model: choose a registered model');
  if (!d.datasetPath) problems.push('Dataset: choose a registered dataset');
  const parsed = SweepSpecSchema.safeParse(draftToSpecInput(d));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const text = describeIssue(issue);
      if (!(issue.path[0] === 'model' && !d.modelPath) && !(issue.path[1] === 'path' && !d.datasetPath)) problems.push(text);
    }
  }
  return { spec: parsed.success && problems.length === 0 ? parsed.data : null, problems };
}
