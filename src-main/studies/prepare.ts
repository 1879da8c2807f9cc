// Building a preset's sweep for a data folder: where the demo and the generated data live, then the spec, with the
// demo model and the preset's dataset registered so the sweep builder can show them.
import * as path from 'node:path';
import type { StudyVariant } from '../../src-shared/domain/study-preset';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import { PeftLabError } from '../../src-shared/errors';
import { registerDataset } from '../host/handlers/datasets';
import { registerModel } from '../host/handlers/models';
import type { HandlerContext } from '../host/handlers/types';
import { demoFolder } from '../host/first-run';
import { studyPreset } from './registry';
import type { StudyEnv } from './types';

export function studyEnv(dataDir: string): StudyEnv {
  const demoDir = demoFolder();
  if (!demoDir) {
    throw new PeftLabError('FILE_NOT_FOUND', 'study presets train on the embedded demo (resources/demo), which was not found; set PEFT_LAB_RESOURCES to the folder holding demo/');
  }
  return { demoDir, generatedDir: path.join(dataDir, 'studies', 'data') };
}

/** The preset's sweep spec, with its model and dataset registered in the store. */
export async function prepareStudySweep(id: string, variant: StudyVariant, ctx: HandlerContext): Promise<SweepSpec> {
  const spec = await studyPreset(id).build(studyEnv(ctx.s.dataDir), variant);
  const models = ctx.s.store.models.list();
  if (!models.some((m) => m.path === spec.model)) await registerModel({ path: spec.model, name: 'WordNet demo model (1M)' }, ctx);
  await registerDataset({ path: spec.dataset.path }, ctx);
  return spec;
}
