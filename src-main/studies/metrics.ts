// The metric columns study verdicts read from stored runs, with the tolerance each uses when a sweep has one seed.
import type { ClaimVerdict } from '../../src-shared/domain/study-preset';
import type { Contrast } from './judge';
import { direction } from './judge';
import type { StudyMetric, StudyRun } from './types';

export const VAL_LOSS: StudyMetric = { name: 'val loss', higherIsBetter: false, tolerance: 0.02, digits: 4, of: (r) => r.valLoss };
export const TRAIN_LOSS: StudyMetric = { name: 'final train loss', higherIsBetter: false, tolerance: 0.02, digits: 4, of: (r) => r.trainLoss };
export const PAIRWISE: StudyMetric = { name: 'pairwise θ', higherIsBetter: true, tolerance: 0.5, digits: 2, of: (r) => r.pairwiseTheta };
/** Character accuracy at the last evaluation. */
export const CHAR_FINAL: StudyMetric = {
  name: 'char accuracy (final)', higherIsBetter: true, tolerance: 0.02, digits: 3, of: (r) => r.charAccuracy.at(-1)?.value ?? null,
};
/** Mean character accuracy over the evaluation points: the area under the learning curve, i.e. how fast. */
export const CHAR_MEAN: StudyMetric = {
  name: 'char accuracy (mean over evals)', higherIsBetter: true, tolerance: 0.02, digits: 3,
  of: (r) => (r.charAccuracy.length ? r.charAccuracy.reduce((a, p) => a + p.value, 0) / r.charAccuracy.length : null),
};

/** Quality metrics: validation loss, plus the pairwise score once at least two runs were judged. */
export function qualityMetrics(runs: readonly StudyRun[]): StudyMetric[] {
  return runs.filter((r) => r.pairwiseTheta !== null).length >= 2 ? [VAL_LOSS, PAIRWISE] : [VAL_LOSS];
}

/** A contrast oriented so that positive means "the first side is better" for this metric. */
export function oriented(metric: StudyMetric, c: Contrast): Contrast {
  return metric.higherIsBetter ? c : { ...c, value: -c.value };
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** "x better by d (noise ±t)". */
export function describe(metric: StudyMetric, c: Contrast, what: string): string {
  return `${what}: ${c.value >= 0 ? '+' : ''}${fmt(c.value, metric.digits)} ${metric.name} in its favour (noise band ±${fmt(c.threshold, metric.digits)}, ${c.runs} runs)`;
}

/**
 * A claim "side A is better than side B": agrees when the oriented contrast is beyond noise in A's favour,
 * disagrees when beyond noise the other way, otherwise within seed noise.
 */
export function betterClaim(claim: string, metric: StudyMetric, c: Contrast, what: string): ClaimVerdict {
  const d = direction(oriented(metric, c));
  const o = oriented(metric, c);
  if (d === null) return { claim, metric: metric.name, outcome: 'not enough runs', measured: `${what}: needs finished runs on both sides` };
  return { claim, metric: metric.name, outcome: d > 0 ? 'agrees' : d < 0 ? 'disagrees' : 'within seed noise', measured: describe(metric, o, what) };
}

/**
 * A claim "A costs nothing against B" (A is not worse): agrees unless A is worse beyond noise.
 */
export function notWorseClaim(claim: string, metric: StudyMetric, c: Contrast, what: string): ClaimVerdict {
  const o = oriented(metric, c);
  const d = direction(o);
  if (d === null) return { claim, metric: metric.name, outcome: 'not enough runs', measured: `${what}: needs finished runs on both sides` };
  const note = d === 0 ? ' (within seed noise, as the finding says)' : d > 0 ? ' (better, beyond noise)' : ' (worse, beyond noise)';
  return { claim, metric: metric.name, outcome: d < 0 ? 'disagrees' : 'agrees', measured: describe(metric, o, what) + note };
}
