// The study summary of a sweep, like the closing table of a fine-tuning study: one row per run (and the base
// model) with its configuration, cost, losses, perplexity, mean rating, automatic scores against the references,
// Bradley-Terry score from the blind pairwise judgements and an example output; then "which setting matters":
// each score's mean and spread per axis value, pairwise scores per axis value, and the raters' position bias.
import { createHash } from 'node:crypto';
import type { RunRecord } from '../../src-shared/domain/records';
import type { JudgementRecord, SampleRecord } from '../../src-shared/domain/review';
import type { PairwiseScore, StudySummary, SummaryRow } from '../../src-shared/domain/review-views';
import { axisEffects } from '../../src-shared/review/axis-effects';
import type { EffectRow } from '../../src-shared/review/axis-effects';
import type { Comparison } from '../../src-shared/review/bradley-terry';
import { eloOf, scoreBradleyTerry } from '../../src-shared/review/bradley-terry';
import { positionBias } from '../../src-shared/review/position-bias';
import { bleu, rougeL } from '../../src-shared/review/text-metrics';
import { targetSetLabel } from '../../src-shared/domain/sweep-spec';
import { usesRankAndTargets } from '../../src-shared/domain/grid';
import { PeftLabError } from '../../src-shared/errors';
import type { Store } from '../store/db';
import { authorOf, effectAxes, axisValues, currentSamples, labelOf } from './authors';
import { perplexityOf } from './matrix';
import { Memo } from './memo';

/** One virtual tie of every player with a reference player keeps scores finite for clean sweeps (see bradley-terry.ts). */
const PRIOR = 1;
const RESAMPLES = 200;

export const SUMMARY_METHODS: StudySummary['methods'] = {
  pairwise: `Bradley-Terry strengths fitted by MM (Zermelo) iterations from the blind pairwise judgements, a tie counting as half a win for each side, with a weak prior of ${PRIOR} virtual tie against a reference player; θ = ln strength centred on the players, also shown on the Elo scale (1000 + 400·θ/ln 10).`,
  intervals: `95% percentile intervals from ${RESAMPLES} bootstrap resamples of the judgements (seeded, so they replay), once there are at least 5 decided or tied judgements.`,
  rougeL: 'ROUGE-L F1 (js-rouge: LCS over Treebank tokens, case-insensitive) against the dataset\'s reference response.',
  bleu: 'Sentence BLEU 0–100 as sacreBLEU computes it (4-grams, brevity penalty, exp smoothing, effective order, 13a tokens) against the reference.',
  perplexity: 'exp of the run\'s final validation loss (mean token cross-entropy on the validation split).',
};

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Judgements that decided something, as comparisons between the authors of the two samples. */
function comparisons(judgements: readonly JudgementRecord[], byId: ReadonlyMap<number, SampleRecord>, key: (author: string) => string | null): Comparison[] {
  const out: Comparison[] = [];
  for (const j of judgements) {
    if (j.verdict === 'skip') continue;
    const l = byId.get(j.leftSampleId);
    const r = byId.get(j.rightSampleId);
    if (!l || !r) continue;
    const a = key(authorOf(l));
    const b = key(authorOf(r));
    if (a === null || b === null || a === b) continue;
    out.push({ a, b, outcome: j.verdict === 'left' ? 1 : j.verdict === 'right' ? 0 : 0.5 });
  }
  return out;
}

const fits = new Memo<ReturnType<typeof scoreBradleyTerry>>(32);
const textScores = new Memo<number>(50_000);
/** A short key for a score of `output` against `reference` (outputs can be long: the memo holds digests, not texts). */
const textKey = (metric: string, output: string, reference: string): string =>
  createHash('sha256').update(metric).update('\0').update(output).update('\0').update(reference).digest('base64');

function pairwiseScores(players: string[], comps: Comparison[], label: (k: string) => string): PairwiseScore[] {
  const key = JSON.stringify([players, comps.map((c) => [c.a, c.b, c.outcome])]);
  return fits.get(key, () => scoreBradleyTerry(players, comps, { prior: PRIOR, resamples: RESAMPLES, seed: 1 })).map((p) => ({
    key: p.id, label: label(p.id), theta: p.theta, lo: p.lo, hi: p.hi, elo: p.theta === null ? null : eloOf(p.theta),
    wins: p.wins, losses: p.losses, ties: p.ties,
  }));
}

function trainSeconds(store: Store, run: RunRecord): number | null {
  const finished = store.runEvents.list(run.id, 50).reverse().find((e) => e.type === 'finished');
  const seconds = (finished?.payload as { seconds?: number } | undefined)?.seconds;
  if (typeof seconds === 'number') return seconds;
  return run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
}

export function buildSummary(store: Store, sweepId: number): StudySummary {
  const sweep = store.sweeps.get(sweepId);
  if (!sweep) throw new PeftLabError('BAD_ARGUMENT', `sweep ${sweepId} does not exist`);
  const runs = store.runs.list({ sweepId });
  const runById = new Map(runs.map((r) => [r.id, r]));
  const prompts = store.reviewPrompts.list(sweepId);
  const samples = store.samples.listBySweep(sweepId);
  const sampleById = new Map(samples.map((s) => [s.id, s]));
  const current = currentSamples(samples);
  const ratings = new Map(store.ratings.listBySweep(sweepId).map((r) => [r.sampleId, r]));
  const judgements = store.judgements.list(sweepId);

  const authors = ['base', ...runs.map((r) => `run-${r.id}`)];
  const pairwise = new Map(pairwiseScores(authors, comparisons(judgements, sampleById, (a) => a), (k) => labelOf(k, runById)).map((p) => [p.key, p]));
  const rows = authors.map((author) => summaryRow(store, author, runById, prompts, current, ratings, pairwise.get(author) ?? null));

  const effectRows: EffectRow[] = runs.map((run) => {
    const row = rows.find((r) => r.runId === run.id)!;
    return {
      axes: axisValues(run), cellKey: run.cellKey.replace(/\|s\d+$/, ''),
      scores: { 'val loss': row.valLoss, perplexity: row.perplexity, 'mean rating': row.meanRating, 'pairwise θ': row.pairwise?.theta ?? null, 'ROUGE-L': row.rougeL, BLEU: row.bleu },
    };
  });
  const axes = effectAxes(sweep.spec);
  const effects = axisEffects(effectRows, axes, ['val loss', 'perplexity', 'mean rating', 'pairwise θ', 'ROUGE-L', 'BLEU']);
  const axisPairwise = axes.map((axis) => {
    const values = [...new Set(runs.map((r) => axisValues(r)[axis]))];
    if (values.length < 2) return null;
    const valueOf = (author: string) => (author === 'base' ? null : axisValues(runById.get(Number(author.slice(4)))!)[axis]);
    return { axis, scores: pairwiseScores(values, comparisons(judgements, sampleById, valueOf), (k) => k) };
  }).filter((x): x is NonNullable<typeof x> => x !== null);

  return {
    sweepId, name: sweep.name, rows, effects, axisPairwise, positionBias: positionBias(judgements), judgements: judgements.length,
    raters: [...new Set(judgements.map((j) => j.rater))].sort(), seedReplicates: (sweep.spec.axes.seed?.length ?? 0) > 1, methods: SUMMARY_METHODS,
  };
}

function summaryRow(
  store: Store, author: string, runs: ReadonlyMap<number, RunRecord>, prompts: { id: number; reference: string | null }[],
  current: ReadonlyMap<string, SampleRecord>, ratings: ReadonlyMap<number, { score: number | null }>, pairwise: PairwiseScore | null,
): SummaryRow {
  const mine = prompts.map((p) => ({ p, s: current.get(`${author}|${p.id}`) })).filter((x): x is { p: typeof x.p; s: SampleRecord } => x.s !== undefined);
  const scores = mine.map((x) => ratings.get(x.s.id)?.score).filter((v): v is number => typeof v === 'number');
  const withRef = mine.filter((x) => x.p.reference);
  const example = mine[0]?.s ?? null;
  const shared = {
    key: author, meanRating: mean(scores), ratings: scores.length, pairwise,
    rougeL: mean(withRef.map((x) => textScores.get(textKey('rouge-l', x.s.output, x.p.reference!), () => rougeL(x.s.output, x.p.reference!)))),
    bleu: mean(withRef.map((x) => textScores.get(textKey('bleu', x.s.output, x.p.reference!), () => bleu(x.s.output, x.p.reference!)))),
    exampleOutput: example?.output ?? null, examplePromptId: example?.promptId ?? null,
  };
  const run = author === 'base' ? null : runs.get(Number(author.slice(4)))!;
  if (!run) {
    return {
      ...shared, runId: null, label: 'base model', method: 'base model', r: null, targets: null, bits: null, loraAlpha: null, learningRate: null, seed: null,
      trainableParams: 0, trainSeconds: null, peakMemoryBytes: null, baseWeightBytes: null, baseBitsPerWeight: null, finalTrainLoss: null, valLoss: null, perplexity: null,
    };
  }
  const c = run.cell;
  const ranked = usesRankAndTargets(c.method);
  return {
    ...shared, runId: run.id, label: run.label, method: c.method, r: ranked ? c.r : null, targets: ranked ? targetSetLabel(c.targets) : null, bits: c.bits,
    loraAlpha: c.loraAlpha, learningRate: c.learningRate, seed: c.seed, trainableParams: run.trainableParams, trainSeconds: trainSeconds(store, run),
    peakMemoryBytes: run.peakMemoryBytes, baseWeightBytes: run.baseWeightBytes, baseBitsPerWeight: run.baseBitsPerWeight,
    finalTrainLoss: run.lastLoss, valLoss: run.valLoss, perplexity: perplexityOf(run.valLoss),
  };
}
