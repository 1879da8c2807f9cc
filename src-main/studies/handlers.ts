// studies/*: the study presets (list), a preset's sweep spec for the builder (prepare: the demo model and the
// preset's dataset registered, generated data written), and the verdict of a sweep built from one.
import type { HandlerMap } from '../host/handlers/types';
import { prepareStudySweep } from './prepare';
import { STUDY_PRESETS } from './registry';
import { studyVerdict } from './verdict';

export const studyHandlers: Pick<HandlerMap, 'studies/list' | 'studies/prepare' | 'studies/verdict'> = {
  'studies/list': () => STUDY_PRESETS.map((p) => p.info),
  'studies/prepare': async ({ preset, variant }, ctx) => ({ spec: await prepareStudySweep(preset, variant, ctx) }),
  'studies/verdict': ({ sweepId }, { s }) => studyVerdict(s.store, sweepId),
};
