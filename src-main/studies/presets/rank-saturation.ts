// Preset "Rank saturation": the LoRA paper's rank analysis (Hu et al. 2021, §7.2, Table 6) on the WordNet demo:
// LoRA on attention q,v with r ∈ {1, 2, 4, 8, 16, 64}. Published: a very small r already gives the quality of
// large ones; quality stops improving beyond a small r.
import type { ClaimVerdict, StudyPresetInfo, StudyVariant } from '../../../src-shared/domain/study-preset';
import type { Judge } from '../judge';
import { direction } from '../judge';
import { presetSweep, sizedDemo, variantInfo } from '../demo-spec';
import type { VariantSizes } from '../demo-spec';
import { describe, oriented, qualityMetrics, TRAIN_LOSS } from '../metrics';
import type { StudyMetric, StudyPreset, StudyRun } from '../types';

const RANKS = [1, 2, 4, 8, 16, 64];
/** "Small" as the paper found it for q,v: up to 8. */
const SMALL = 8;
const SIZES: VariantSizes = { quick: { steps: 40, seeds: [42] }, full: { steps: 120, seeds: [42, 7] } };

const info: StudyPresetInfo = {
  id: 'rank-saturation',
  name: 'Rank saturation',
  question: 'Does LoRA keep improving as r grows, or does a small r already do as well?',
  grid: `LoRA · r ${RANKS.join(', ')} · attention q,v · 32-bit base · lora_alpha = 2·r (constant scaling) · WordNet definitions`,
  metrics: ['val loss', 'pairwise θ (when judged)', 'final train loss', 'trainable params (PEFT count)'],
  finding: {
    text: 'Adapting W_q and W_v with r as small as 1 to 8 performs as well as r = 64: the update has a very low intrinsic rank, so quality stops improving beyond a small r.',
    citation: 'Hu et al. (2021), "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685, §7.2 and Table 6',
    url: 'https://arxiv.org/abs/2106.09685',
  },
  variants: { quick: variantInfo(RANKS.length, SIZES.quick), full: variantInfo(RANKS.length, SIZES.full) },
};

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function claimOn(runs: readonly StudyRun[], judge: Judge, m: StudyMetric): ClaimVerdict {
  const claim = `quality stops improving beyond a small r (≤ ${SMALL})`;
  const byR = new Map<number, number[]>();
  for (const r of runs) {
    const v = m.of(r);
    if (v !== null && Number.isFinite(v)) byR.set(r.cell.r, [...(byR.get(r.cell.r) ?? []), v]);
  }
  const score = (r: number) => (m.higherIsBetter ? 1 : -1) * mean(byR.get(r)!);
  const small = [...byR.keys()].filter((r) => r <= SMALL);
  const large = [...byR.keys()].filter((r) => r > SMALL);
  if (!small.length || !large.length) return { claim, metric: m.name, outcome: 'not enough runs', measured: `needs finished runs with r ≤ ${SMALL} and r > ${SMALL}` };
  const bestSmall = small.reduce((a, b) => (score(b) > score(a) ? b : a));
  const bestLarge = large.reduce((a, b) => (score(b) > score(a) ? b : a));
  // best large r against best small r: a real gain of the large one means quality still improves.
  const c = oriented(m, judge.difference(m, (r) => r.cell.r === bestLarge, (r) => r.cell.r === bestSmall));
  const d = direction(c)!;
  const curve = [...byR.keys()].sort((a, b) => a - b).map((r) => `r${r} ${mean(byR.get(r)!).toFixed(m.digits)}`).join(', ');
  const what = `${m.name} by r: ${curve}; best r=${bestLarge} against best small r=${bestSmall}`;
  const note = d === 0 ? ' (within seed noise: saturated)' : d < 0 ? ' (the small r is better)' : ' (larger r still better beyond noise)';
  return { claim, metric: m.name, outcome: d > 0 ? 'disagrees' : 'agrees', measured: describe(m, c, what) + note };
}

export const rankSaturation: StudyPreset = {
  info,
  async build(env, variant: StudyVariant) {
    const size = SIZES[variant];
    return presetSweep(env, { preset: info.id, variant }, info.name, (base) =>
      sizedDemo(base, size, { method: ['lora'], r: RANKS, targets: [{ preset: 'attention-qv' }], bits: [32] }));
  },
  metrics: (runs) => [...qualityMetrics(runs), TRAIN_LOSS],
  claims: (runs, judge, metrics) => metrics.filter((m) => m !== TRAIN_LOSS).map((m) => claimOn(runs, judge, m)),
};
