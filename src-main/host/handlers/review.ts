// review/*: the prompts of a sweep (typed, from its validation split, imported), its review settings, generation
// of every run's outputs (queued, streamed as events), the matrix of outputs, and ratings of single outputs.
import { PeftLabError } from '../../../src-shared/errors';
import { buildMatrix } from '../../review/matrix';
import { importedPrompts, toStoredPrompt, validationCandidates } from '../../review/prompts';
import type { HostServices } from '../services';
import type { Handler, HandlerMap } from './types';

export function sweepOf(s: HostServices, id: number) {
  const sweep = s.store.sweeps.get(id);
  if (!sweep) throw new PeftLabError('BAD_ARGUMENT', `sweep ${id} does not exist`);
  return sweep;
}

function promptsChanged(s: HostServices, sweepId: number): void {
  s.bus.emit('review/prompts', { sweepId });
}

const add: Handler<'review/prompts/add'> = ({ sweepId, prompts }, { s }) => {
  const sweep = sweepOf(s, sweepId);
  const added = s.store.reviewPrompts.add(sweepId, prompts.map((p) => toStoredPrompt(sweep.spec.template, p)));
  promptsChanged(s, sweepId);
  return added;
};

const importPrompts: Handler<'review/prompts/import'> = ({ sweepId, content, format, name }, { s }) => {
  const sweep = sweepOf(s, sweepId);
  const prompts = importedPrompts(sweep.spec.template, content, format, name).map((p) => toStoredPrompt(sweep.spec.template, p));
  const added = s.store.reviewPrompts.add(sweepId, prompts);
  promptsChanged(s, sweepId);
  return added;
};

const rate: Handler<'review/rate'> = ({ sampleId, score, flags, note }, { s }) => {
  if (!s.store.samples.get(sampleId)) throw new PeftLabError('BAD_ARGUMENT', `sample ${sampleId} does not exist`);
  return s.store.ratings.set(sampleId, { score, flags: [...new Set(flags)], note: note && note.trim() ? note : null });
};

export const reviewHandlers: Pick<HandlerMap, 'review/prompts/list' | 'review/prompts/add' | 'review/prompts/remove' | 'review/prompts/candidates' |
  'review/prompts/import' | 'review/settings/get' | 'review/settings/set' | 'review/generate' | 'review/matrix' | 'review/rate'> = {
  'review/prompts/list': ({ sweepId }, { s }) => s.store.reviewPrompts.list(sweepOf(s, sweepId).id),
  'review/prompts/add': add,
  'review/prompts/remove': ({ id }, { s }) => {
    const p = s.store.reviewPrompts.get(id);
    if (!p) throw new PeftLabError('BAD_ARGUMENT', `review prompt ${id} does not exist`);
    s.store.reviewPrompts.remove(id);
    promptsChanged(s, p.sweepId);
    return null;
  },
  'review/prompts/candidates': async ({ sweepId, limit }, { s }) => validationCandidates(sweepOf(s, sweepId).spec, limit),
  'review/prompts/import': importPrompts,
  'review/settings/get': ({ sweepId }, { s }) => s.store.sweeps.reviewSettingsOrDefault(sweepOf(s, sweepId).id),
  'review/settings/set': ({ sweepId, settings }, { s }) => {
    s.store.sweeps.setReviewSettings(sweepOf(s, sweepId).id, settings);
    return settings;
  },
  'review/generate': ({ sweepId, force }, { s }) => {
    sweepOf(s, sweepId);
    if (s.store.reviewPrompts.list(sweepId).length === 0) throw new PeftLabError('BAD_ARGUMENT', 'this sweep has no review prompts yet; add some first');
    return s.generation.request(sweepId, force);
  },
  'review/matrix': ({ sweepId }, { s }) => buildMatrix(s.store, sweepOf(s, sweepId).id, s.generation.status(sweepId)),
  'review/rate': rate,
};
