// Preset "Which r and which modules?": Databricks' OpenLLaMA-3B LoRA/QLoRA study re-run on the WordNet demo model:
// r 8 vs 16 × attention q,v vs all linear layers × 32-bit vs 4-bit (NF4) base. Published: targeting all linear
// layers matters more than doubling r, and the 4-bit base (QLoRA) loses no output quality.
import type { StudyPresetInfo, StudyVariant } from '../../../src-shared/domain/study-preset';
import type { StudyMetric, StudyPreset, StudyRun } from '../types';
import { presetSweep, sizedDemo, variantInfo } from '../demo-spec';
import type { VariantSizes } from '../demo-spec';
import { betterClaim, notWorseClaim, oriented, qualityMetrics, TRAIN_LOSS } from '../metrics';
import type { Judge } from '../judge';

const SIZES: VariantSizes = { quick: { steps: 40, seeds: [42] }, full: { steps: 120, seeds: [42, 7] } };

const info: StudyPresetInfo = {
  id: 'which-r-modules',
  name: 'Which r and which modules?',
  question: 'For LoRA on a small budget, does it pay more to adapt all linear layers or to double r, and does a 4-bit base cost quality?',
  grid: 'LoRA · r 8, 16 × attention q,v / all linear × 32-bit / 4-bit (NF4) base · WordNet definitions (demo model and data)',
  metrics: ['val loss', 'pairwise θ (when judged)', 'final train loss', 'trainable params (PEFT count)'],
  finding: {
    text: 'Targeting all linear layers (not only attention q,v) improves quality more than raising r from 8 to 16, and QLoRA\'s 4-bit base gives output quality on par with LoRA on an 8-bit base.',
    citation: 'Databricks blog (2023), "Efficient Fine-Tuning with LoRA: A Guide to Optimal Parameter Selection for Large Language Models" — OpenLLaMA-3B-v2, r × target modules × 4/8-bit',
    url: 'https://www.databricks.com/blog/efficient-fine-tuning-lora-guide-llms',
  },
  variants: { quick: variantInfo(8, SIZES.quick), full: variantInfo(8, SIZES.full) },
};

const isAll = (r: StudyRun) => 'preset' in r.cell.targets && r.cell.targets.preset === 'all-linear';

function claimsOn(judge: Judge, m: StudyMetric) {
  // Effects as contrasts over the 2×2×2 grid: (qv − all linear) and (r8 − r16), each a difference of half-grid means.
  const targets = judge.difference(m, isAll, (r) => !isAll(r));
  const rank = judge.difference(m, (r) => r.cell.r === 16, (r) => r.cell.r === 8);
  const na = targets.a;
  const nb = targets.b;
  const n8 = rank.b;
  const n16 = rank.a;
  // (all − qv) − (r16 − r8) as one contrast, so its noise band is right.
  const both = judge.contrast(m, (r) => (isAll(r) ? 1 / na : -1 / nb) - (r.cell.r === 16 ? 1 / n16 : -1 / n8));
  const bits = judge.difference(m, (r) => r.cell.bits === 4, (r) => r.cell.bits === 32);
  const ot = oriented(m, targets);
  const or = oriented(m, rank);
  return [
    betterClaim('all linear layers help more than doubling r', m, both,
      `all-linear gain ${ot.value.toFixed(m.digits)} vs r 8→16 gain ${or.value.toFixed(m.digits)}; difference`),
    notWorseClaim('a 4-bit (NF4) base costs no quality against 32-bit', m, bits, '4-bit against 32-bit'),
  ];
}

export const whichRModules: StudyPreset = {
  info,
  async build(env, variant: StudyVariant) {
    const size = SIZES[variant];
    return presetSweep(env, { preset: info.id, variant }, info.name, (base) =>
      sizedDemo(base, size, { method: ['lora'], r: [8, 16], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], bits: [32, 4] }));
  },
  metrics: (runs) => [...qualityMetrics(runs), TRAIN_LOSS],
  claims: (runs, judge, metrics) => metrics.filter((m) => m !== TRAIN_LOSS).flatMap((m) => claimsOn(judge, m)),
};
