// The starting point of the presets that train on the WordNet demo: resources/demo/sweep.json (its model, its
// instruction data and validation file, template, sequence and training settings) with absolute paths, and the
// variant sizes the presets share.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StudyRef, StudyVariant, StudyVariantInfo } from '../../src-shared/domain/study-preset';
import type { SequenceSpec } from '../../src-shared/domain/data';
import type { SweepSpec, SweepSpecInput } from '../../src-shared/domain/sweep-spec';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import { parseWith } from '../../src-shared/domain/validate';
import type { StudyEnv } from './types';

/** The demo sweep with absolute paths. */
export function demoSweep(env: StudyEnv): SweepSpec {
  const file = path.join(env.demoDir, 'sweep.json');
  const spec = parseWith(SweepSpecSchema, JSON.parse(fs.readFileSync(file, 'utf8')) as unknown, file);
  const ds = { ...spec.dataset, path: path.resolve(env.demoDir, spec.dataset.path) };
  if (ds.validationPath) ds.validationPath = path.resolve(env.demoDir, ds.validationPath);
  return { ...spec, model: path.resolve(env.demoDir, spec.model), dataset: ds };
}

/** A preset's sweep: the demo's, changed by `patch`, named and tagged with its preset and variant. */
export function presetSweep(env: StudyEnv, study: StudyRef, name: string, patch: (base: SweepSpec) => Omit<SweepSpecInput, 'name' | 'study'>): SweepSpec {
  const input = patch(demoSweep(env));
  return SweepSpecSchema.parse({ ...input, name: `${name} (${study.variant})`, study });
}

/** Steps and seeds of a variant, as the preset list shows them. */
export function variantInfo(runsPerSeed: number, v: { steps: number; seeds: number[] }): StudyVariantInfo {
  return { runs: runsPerSeed * v.seeds.length, steps: v.steps, seeds: v.seeds };
}

export type VariantSizes = Record<StudyVariant, { steps: number; seeds: number[] }>;

/** Seed replicates as an axis when there are several (one seed is training.seed). */
export function seedAxis(seeds: number[]): { seed?: number[] } {
  return seeds.length > 1 ? { seed: seeds } : {};
}

/** The demo sweep at a variant's size (rows of 128 tokens, `steps` updates, its seeds) with these axes. */
export function sizedDemo(base: SweepSpec, size: { steps: number; seeds: number[] }, axes: Omit<SweepSpecInput['axes'], 'seed'>, sequence: Partial<SequenceSpec> = {}): Omit<SweepSpecInput, 'name' | 'study'> {
  return {
    ...base,
    sequence: { ...base.sequence, maxLength: 128, ...sequence },
    training: { ...base.training, maxSteps: size.steps, warmupSteps: Math.min(5, size.steps), seed: size.seeds[0] },
    axes: { ...axes, ...seedAxis(size.seeds) },
  };
}
