// A study preset's sweep spec as the sweep builder's form, so the preset opens as an ordinary, editable sweep.
import type { TemplateSpec } from '../../../src-shared/domain/data';
import type { SweepSpec } from '../../../src-shared/domain/sweep-spec';
import type { DraftFields } from '../../lib/draft-spec';
import { defaultDraft } from '../../lib/draft-spec';
import type { TemplateDraft } from '../../lib/template-draft';
import { defaultTemplateDraft } from '../../lib/template-draft';

export function templateDraftOf(t: TemplateSpec): TemplateDraft {
  const d = { ...defaultTemplateDraft(), kind: t.kind };
  if (t.kind === 'custom') Object.assign(d, { prompt: t.prompt, response: t.response });
  if (t.kind === 'chat') Object.assign(d, { system: t.system ?? '', user: t.user, assistant: t.assistant });
  return d;
}

export function draftFromSpec(spec: SweepSpec): DraftFields {
  const t = spec.training;
  const a = spec.axes;
  return {
    ...defaultDraft(),
    name: spec.name, modelPath: spec.model, datasetPath: spec.dataset.path, validationSplit: spec.dataset.validationSplit,
    validationPath: spec.dataset.validationPath ?? '', template: templateDraftOf(spec.template),
    maxLength: spec.sequence.maxLength, packing: spec.sequence.packing, lossOn: spec.sequence.lossOn,
    length: t.maxSteps !== undefined ? 'steps' : 'epochs', maxSteps: t.maxSteps ?? 100, epochs: t.epochs ?? 1,
    batchSize: t.batchSize, gradientAccumulation: t.gradientAccumulation, learningRate: t.learningRate, schedule: t.schedule,
    warmupSteps: t.warmupSteps ?? 0, evalEvery: t.evalEvery, checkpointEvery: t.checkpointEvery, seed: t.seed,
    gradientCheckpointing: t.gradientCheckpointing, backend: spec.backend, alphaPerR: spec.lora.alphaPerR, dropout: spec.lora.dropout,
    methods: [...a.method], ranks: [...a.r], targets: a.targets.map((x) => ({ ...x })), bits: [...a.bits],
    loraAlphas: [...(a.loraAlpha ?? [])], learningRates: [...(a.learningRate ?? [])], seeds: [...(a.seed ?? [])],
    study: spec.study ? { ...spec.study } : null,
  };
}
