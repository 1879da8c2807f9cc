// The generation matrix of a sweep: its prompts, one column per author (the base model, then each run with its
// validation perplexity), every stored sample scored against the prompt's reference (ROUGE-L, BLEU), the ratings.
import type { MatrixColumn, MatrixSample, ReviewMatrix, GenerationStatus } from '../../src-shared/domain/review-views';
import type { SampleRecord } from '../../src-shared/domain/review';
import { bleu, rougeL } from '../../src-shared/review/text-metrics';
import type { Store } from '../store/db';

export function perplexityOf(valLoss: number | null): number | null {
  return valLoss === null || !Number.isFinite(valLoss) ? null : Math.exp(valLoss);
}

/** A sample with its automatic scores against the prompt's reference response (null without one). */
export function scored(s: SampleRecord, reference: string | null): MatrixSample {
  return { ...s, rougeL: reference ? rougeL(s.output, reference) : null, bleu: reference ? bleu(s.output, reference) : null };
}

export function buildMatrix(store: Store, sweepId: number, generation: GenerationStatus): ReviewMatrix {
  const prompts = store.reviewPrompts.list(sweepId);
  const refs = new Map(prompts.map((p) => [p.id, p.reference]));
  const runs = store.runs.list({ sweepId });
  const columns: MatrixColumn[] = [
    { key: 'base', runId: null, label: 'base model', cell: null, status: null, valLoss: null, perplexity: null },
    ...runs.map((r) => ({ key: `run-${r.id}`, runId: r.id, label: r.label, cell: r.cell, status: r.status, valLoss: r.valLoss, perplexity: perplexityOf(r.valLoss) })),
  ];
  const samples = store.samples.listBySweep(sweepId).map((s) => scored(s, refs.get(s.promptId) ?? null));
  return {
    sweepId, prompts, columns, samples, ratings: store.ratings.listBySweep(sweepId),
    settings: store.sweeps.reviewSettingsOrDefault(sweepId), generation,
  };
}
