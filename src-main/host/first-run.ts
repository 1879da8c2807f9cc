// The first time the app opens a data folder, the embedded demo is registered (the WordNet demo model, its
// instruction dataset) and its sweep preset is created as a draft, so one click (Launch) runs a real study.
// Once only: a data folder the person has emptied stays empty.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import { PeftLabError } from '../../src-shared/errors';
import type { HostCore } from './host';
import { registerDataset } from './handlers/datasets';
import { registerModel } from './handlers/models';
import { createSweep } from './handlers/sweeps';

const SEEDED = 'firstRunDemoSeeded';

/** resources/demo next to the sources or the build (PEFT_LAB_RESOURCES overrides, e.g. in a packaged app). */
export function demoFolder(): string | null {
  const fromEnv = process.env.PEFT_LAB_RESOURCES;
  if (fromEnv) return fs.existsSync(path.join(fromEnv, 'demo', 'sweep.json')) ? path.join(fromEnv, 'demo') : null;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources', 'demo');
    if (fs.existsSync(path.join(candidate, 'sweep.json'))) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

/** Registers the demo model and dataset and drafts its sweep, on a data folder that has never been seeded. */
export async function seedDemoOnFirstRun(host: HostCore, log: (m: string) => void = () => undefined): Promise<boolean> {
  const s = host.services;
  if (s.store.settings.get<boolean>(SEEDED, false) || s.store.models.list().length > 0) return false;
  s.store.settings.set(SEEDED, true);
  const demo = demoFolder();
  if (!demo) {
    log('first run: the embedded demo (resources/demo) was not found; starting with an empty library');
    return false;
  }
  const ctx = { s, signal: new AbortController().signal, progress: () => undefined };
  try {
    const json = JSON.parse(fs.readFileSync(path.join(demo, 'sweep.json'), 'utf8')) as Record<string, unknown>;
    const spec = SweepSpecSchema.parse(json);
    const abs = {
      ...spec,
      model: path.resolve(demo, spec.model),
      dataset: { ...spec.dataset, path: path.resolve(demo, spec.dataset.path), ...(spec.dataset.validationPath ? { validationPath: path.resolve(demo, spec.dataset.validationPath) } : {}) },
    };
    await registerModel({ path: abs.model, name: 'WordNet demo model (1M)' }, ctx);
    await registerDataset({ path: abs.dataset.path, name: 'WordNet definitions (demo)' }, ctx);
    await createSweep(abs, false, ctx);
    log(`first run: registered the demo model and dataset and drafted "${spec.name}"`);
    return true;
  } catch (e) {
    log(`first run: could not set up the demo (${e instanceof PeftLabError ? e.message : String(e)})`);
    return false;
  }
}
