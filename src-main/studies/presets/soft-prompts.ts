// Preset "Soft prompts vs weights": prompt tuning, prefix tuning, (IA)³ and LoRA at their usual sizes on the same
// WordNet data, quality against trainable parameters. Published (PEFT surveys): at small model scale the soft-prompt
// methods, which add virtual tokens, trail the methods that change the weights.
import type { StudyPresetInfo, StudyVariant } from '../../../src-shared/domain/study-preset';
import { presetSweep, sizedDemo, variantInfo } from '../demo-spec';
import type { VariantSizes } from '../demo-spec';
import { betterClaim, qualityMetrics, TRAIN_LOSS } from '../metrics';
import type { StudyPreset, StudyRun } from '../types';

const SIZES: VariantSizes = { quick: { steps: 40, seeds: [42] }, full: { steps: 120, seeds: [42, 7] } };
const SOFT = ['prompt', 'prefix'];

const info: StudyPresetInfo = {
  id: 'soft-prompts',
  name: 'Soft prompts vs weights',
  question: 'On a small model, how do soft prompts (prompt, prefix tuning) compare with methods that adapt weights ((IA)³, LoRA), for the parameters they train?',
  grid: 'prompt tuning (20 virtual tokens) · prefix tuning (20) · (IA)³ (k, v, down_proj) · LoRA r=8 on q,v · one learning rate (0.003) · no packing (virtual tokens sit in front of each example) · WordNet definitions',
  metrics: ['val loss', 'pairwise θ (when judged)', 'final train loss', 'trainable params (PEFT count)'],
  finding: {
    text: 'Soft-prompt methods train the fewest parameters but, below billions of parameters, reach lower quality than reparametrised/weight methods such as LoRA and (IA)³; prompt tuning closes the gap only at very large model scale.',
    citation: 'Lialin, Deshpande & Rumshisky (2023), "Scaling Down to Scale Up: A Guide to Parameter-Efficient Fine-Tuning", arXiv:2303.15647 (with Lester et al. 2021, arXiv:2104.08691, on scale)',
    url: 'https://arxiv.org/abs/2303.15647',
  },
  variants: { quick: variantInfo(4, SIZES.quick), full: variantInfo(4, SIZES.full) },
};

const isSoft = (r: StudyRun) => SOFT.includes(r.cell.method);

export const softPrompts: StudyPreset = {
  info,
  async build(env, variant: StudyVariant) {
    const size = SIZES[variant];
    return presetSweep(env, { preset: info.id, variant }, info.name, (base) =>
      sizedDemo(base, size, { method: ['prompt', 'prefix', 'ia3', 'lora'], r: [8], targets: [{ preset: 'attention-qv' }], bits: [32] }, { packing: false }));
  },
  metrics: (runs) => [...qualityMetrics(runs), TRAIN_LOSS],
  claims: (runs, judge, metrics) => metrics.filter((m) => m !== TRAIN_LOSS).map((m) =>
    betterClaim('weight methods (LoRA, IA3) beat soft prompts (prompt, prefix tuning)', m,
      judge.difference(m, (r) => !isSoft(r), isSoft), 'LoRA and IA3 against prompt and prefix tuning')),
};
