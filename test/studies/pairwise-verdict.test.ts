// Where blind pairwise judgements exist, the verdict also judges the claim on their Bradley-Terry score (θ): a
// soft-prompts sweep whose validation losses are all equal (val loss: within noise) but whose judges always prefer
// the weight methods (θ: agrees), and the same sweep with the judgements reversed (θ: disagrees).
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodingOf, defaultReviewSettings } from '../../src-shared/domain/review';
import type { Store } from '../../src-main/store/db';
import { studyVerdict } from '../../src-main/studies/verdict';
import { storedStudy, testEnv } from './synthetic-store';

afterAll(() => fs.rmSync(testEnv().generatedDir, { recursive: true, force: true }));

const WEIGHTS = ['lora', 'ia3'];

/** One prompt, one output per run, and every weight-method run judged against every soft-prompt run, twice. */
function judge(store: Store, sweepId: number, weightsWin: boolean): void {
  const [prompt] = store.reviewPrompts.add(sweepId, [{ text: 'Define the word lucid.', fields: {}, reference: null, source: 'typed' }]);
  const meta = { ...decodingOf(defaultReviewSettings({ kind: 'alpaca' })), kind: 'final' as const, stopReason: 'eos' as const, promptTokens: 5, base: '32-bit float32' };
  const runs = store.runs.list({ sweepId });
  const sample = new Map(runs.map((r) => [r.id, store.samples.insert({ sweepId, runId: r.id, promptId: prompt.id, prompt: prompt.text, output: `answer of ${r.label}`, step: 40, meta, tokensPerSecond: 10, length: 4 })]));
  const weights = runs.filter((r) => WEIGHTS.includes(r.cell.method));
  const soft = runs.filter((r) => !WEIGHTS.includes(r.cell.method));
  for (const w of weights) {
    for (const s of soft) {
      for (const left of [w, s]) {
        const right = left === w ? s : w;
        const leftWins = (left === w) === weightsWin;
        store.judgements.add({ sweepId, promptId: prompt.id, leftSampleId: sample.get(left.id)!.id, rightSampleId: sample.get(right.id)!.id, verdict: leftWins ? 'left' : 'right', rater: 'ann', repeatOf: null });
      }
    }
  }
}

async function verdict(weightsWin: boolean) {
  const { store, sweepId } = await storedStudy('soft-prompts', 'quick', () => ({ valLoss: 3, trainLoss: 3 }));
  try {
    judge(store, sweepId, weightsWin);
    return studyVerdict(store, sweepId)!;
  } finally {
    store.close();
  }
}

describe('pairwise ratings in a study verdict', () => {
  it('adds a pairwise-θ claim that follows the judgements', async () => {
    const v = await verdict(true);
    expect(v.metrics).toEqual(['val loss', 'pairwise θ', 'final train loss']);
    expect(v.claims.map((c) => [c.metric, c.outcome])).toEqual([['val loss', 'within seed noise'], ['pairwise θ', 'agrees']]);
    const lora = v.rows.find((r) => r.method === 'lora')!;
    const prompt = v.rows.find((r) => r.method === 'prompt')!;
    expect(lora.values['pairwise θ']!).toBeGreaterThan(prompt.values['pairwise θ']!);
    const reversed = await verdict(false);
    expect(reversed.claims.map((c) => c.outcome)).toEqual(['within seed noise', 'disagrees']);
  });
});
