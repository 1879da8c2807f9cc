// Preset "High rank for memorisation": MoRA's UUID-pair memorisation task (Jiang et al. 2024, §5.1) on the demo
// model. The project's seeded generator writes the pairs; LoRA and MoRA (type 1) train on attention q,v with r chosen
// so their trainable counts match (param-match.ts); character accuracy is measured at every evaluation on the pairs
// themselves (memorisation), with the loss over steps. Published: MoRA memorises faster and better at equal budget.
import * as path from 'node:path';
import type { StudyPresetInfo, StudyVariant } from '../../../src-shared/domain/study-preset';
import { readModelInfo } from '../../engine/model/load';
import { presetSweep, seedAxis, variantInfo } from '../demo-spec';
import { betterClaim, CHAR_FINAL, CHAR_MEAN, TRAIN_LOSS } from '../metrics';
import { moraRankForLora } from '../param-match';
import type { StudyPreset, StudyRun } from '../types';
import { writeUuidPairs } from '../uuid-pairs';

const SIZES = {
  quick: { steps: 100, seeds: [42, 7], pairs: 16, evalEvery: 10 },
  full: { steps: 400, seeds: [42, 7], pairs: 64, evalEvery: 20 },
};
const LORA_R = 8;
const DATA_SEED = 2024;
/** Attention q,v: MoRA's compress/decompress ops are the slow part of a step on CPU, so the quick run adapts two
 *  modules per layer. */
const TARGETS = { preset: 'attention-qv', modules: ['q_proj', 'v_proj'] } as const;

const info: StudyPresetInfo = {
  id: 'mora-memorisation',
  name: 'High rank for memorisation',
  question: 'At the same number of trainable parameters, does a high-rank square update (MoRA) memorise new facts faster than low-rank LoRA?',
  grid: `LoRA r=${LORA_R} vs MoRA (type 1) at the r whose trainable count matches · attention q,v · 32-bit base · UUID pairs from the seeded generator (given one UUID, produce its partner)`,
  metrics: ['char accuracy (final)', 'char accuracy (mean over evals)', 'final train loss', 'trainable params (PEFT count)'],
  finding: {
    text: 'On memorising UUID pairs, MoRA reaches higher character-level accuracy in fewer steps than LoRA with the same number of trainable parameters.',
    citation: 'Jiang et al. (2024), "MoRA: High-Rank Updating for Parameter-Efficient Fine-Tuning", arXiv:2405.12130, §5.1 (UUID memorisation)',
    url: 'https://arxiv.org/abs/2405.12130',
  },
  variants: { quick: variantInfo(2, SIZES.quick), full: variantInfo(2, SIZES.full) },
};

const isMora = (r: StudyRun) => r.cell.method === 'mora';

export const moraMemorisation: StudyPreset = {
  info,
  async build(env, variant: StudyVariant) {
    const size = SIZES[variant];
    const file = writeUuidPairs(env.generatedDir, size.pairs, DATA_SEED);
    const model = await readModelInfo(path.join(env.demoDir, 'model'));
    const budget = moraRankForLora(model, LORA_R, [...TARGETS.modules]);
    return presetSweep(env, { preset: info.id, variant }, info.name, (base) => ({
      ...base,
      // Memorisation: the model is scored on the pairs it learns.
      dataset: { path: file, validationPath: file },
      template: { kind: 'custom', prompt: '{uuid}\n', response: '{partner}' },
      sequence: { maxLength: 96, packing: false, lossOn: 'response', addEos: true },
      training: {
        ...base.training, maxSteps: size.steps, batchSize: 8, learningRate: 0.01, schedule: 'constant', warmupSteps: 5,
        evalEvery: size.evalEvery, seed: size.seeds[0],
      },
      // One r axis holds both ranks when they differ (the extra crossed cells are then ignored by the verdict).
      axes: { method: ['lora', 'mora'], r: [...new Set([budget.loraR, budget.moraR])], targets: [{ preset: TARGETS.preset }], bits: [32], ...seedAxis(size.seeds) },
      lora: { alphaPerR: 2, dropout: 0 },
    }));
  },
  metrics: () => [CHAR_FINAL, CHAR_MEAN, TRAIN_LOSS],
  claims(runs, judge) {
    // The matched pair: LoRA at its r, MoRA at the r the budget chose (the smallest gap between their counts).
    const loraRanks = runs.filter((r) => !isMora(r)).map((r) => r.cell.r);
    const loraR = loraRanks.includes(LORA_R) ? LORA_R : Math.min(...loraRanks);
    const lora = runs.filter((r) => !isMora(r) && r.cell.r === loraR);
    const loraParams = lora.find((r) => r.trainableParams !== null)?.trainableParams ?? null;
    const moraRuns = runs.filter(isMora);
    const gap = (r: StudyRun) => (loraParams === null || r.trainableParams === null ? Infinity : Math.abs(r.trainableParams - loraParams));
    const bestGap = Math.min(...moraRuns.map(gap));
    const mora = moraRuns.filter((r) => gap(r) === bestGap);
    const inLora = (r: StudyRun) => lora.includes(r);
    const inMora = (r: StudyRun) => mora.includes(r);
    const budget = loraParams !== null && mora[0]?.trainableParams != null
      ? ` [budget: LoRA r=${loraR} ${loraParams.toLocaleString('en-US')} vs MoRA r=${mora[0].cell.r} ${mora[0].trainableParams.toLocaleString('en-US')} trainable]`
      : '';
    return [
      betterClaim('MoRA memorises better (final character accuracy)', CHAR_FINAL, judge.difference(CHAR_FINAL, inMora, inLora), `MoRA against LoRA${budget}`),
      betterClaim('MoRA memorises faster (accuracy over the evaluations)', CHAR_MEAN, judge.difference(CHAR_MEAN, inMora, inLora), 'MoRA against LoRA'),
      betterClaim('MoRA reaches a lower training loss', TRAIN_LOSS, judge.difference(TRAIN_LOSS, inMora, inLora), 'MoRA against LoRA'),
    ];
  },
};
