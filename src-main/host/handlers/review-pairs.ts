// review/pairs/*: blind pairwise review. The host picks the pair (balanced coverage, randomised sides, swapped
// repeats) and sends only the two outputs, never who wrote them; a judgement is checked against the sweep's samples.
import type { BlindPair } from '../../../src-shared/domain/review-views';
import { PeftLabError } from '../../../src-shared/errors';
import { candidatePairs, nextPair } from '../../../src-shared/review/pairing';
import { authorOf, currentSamples } from '../../review/authors';
import type { HostServices } from '../services';
import { sweepOf } from './review';
import type { Handler, HandlerMap } from './types';

function candidates(s: HostServices, sweepId: number) {
  const promptIds = new Set(s.store.reviewPrompts.list(sweepId).map((p) => p.id));
  return [...currentSamples(s.store.samples.listBySweep(sweepId)).values()]
    .filter((x) => promptIds.has(x.promptId))
    .map((x) => ({ sampleId: x.id, promptId: x.promptId, author: authorOf(x), output: x.output }));
}

const next: Handler<'review/pairs/next'> = ({ sweepId, rater }, { s }): BlindPair | null => {
  sweepOf(s, sweepId);
  const pool = candidates(s, sweepId);
  const history = s.store.judgements.list(sweepId);
  const p = nextPair(pool, history, { rater, seed: `sweep-${sweepId}` });
  if (!p) return null;
  const prompt = s.store.reviewPrompts.get(p.promptId)!;
  const output = (id: number) => pool.find((x) => x.sampleId === id)!.output;
  return {
    promptId: p.promptId, promptText: prompt.text, reference: prompt.reference,
    left: { sampleId: p.leftSampleId, output: output(p.leftSampleId) }, right: { sampleId: p.rightSampleId, output: output(p.rightSampleId) },
    repeatOf: p.repeatOf, judged: history.length, judgedByRater: history.filter((j) => j.rater === rater).length, pairs: candidatePairs(pool).length,
  };
};

const judge: Handler<'review/pairs/judge'> = (p, { s }) => {
  sweepOf(s, p.sweepId);
  const l = s.store.samples.get(p.leftSampleId);
  const r = s.store.samples.get(p.rightSampleId);
  if (!l || !r || l.sweepId !== p.sweepId || r.sweepId !== p.sweepId) throw new PeftLabError('BAD_ARGUMENT', 'both samples must belong to this sweep');
  if (l.promptId !== p.promptId || r.promptId !== p.promptId) throw new PeftLabError('BAD_ARGUMENT', 'both samples must answer the same prompt');
  if (authorOf(l) === authorOf(r)) throw new PeftLabError('BAD_ARGUMENT', 'a pair needs outputs of two different runs');
  return s.store.judgements.add({ ...p });
};

export const reviewPairHandlers: Pick<HandlerMap, 'review/pairs/next' | 'review/pairs/judge'> = {
  'review/pairs/next': next,
  'review/pairs/judge': judge,
};
