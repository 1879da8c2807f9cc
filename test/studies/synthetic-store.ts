// Synthetic stored study sweeps for the verdict tests: a preset's real grid (built against the repo's demo), its
// runs written into an in-memory store through the repositories, each finished with the numbers a test chooses.
import * as os from 'node:os';
import * as path from 'node:path';
import { expandGrid } from '../../src-shared/domain/grid';
import type { MetricPoint } from '../../src-shared/domain/records';
import type { StudyVariant } from '../../src-shared/domain/study-preset';
import type { SweepCell, SweepSpec } from '../../src-shared/domain/sweep-spec';
import { openStore } from '../../src-main/store/db';
import type { Store } from '../../src-main/store/db';
import { studyPreset } from '../../src-main/studies/registry';
import type { StudyEnv } from '../../src-main/studies/types';
import { DATASET, MODEL } from '../store/fixtures';

export const DEMO_DIR = path.resolve(__dirname, '../../resources/demo');

export function testEnv(): StudyEnv {
  return { demoDir: DEMO_DIR, generatedDir: path.join(os.tmpdir(), `peft-study-data-${process.pid}`) };
}

export interface RunNumbers {
  valLoss?: number | null;
  trainLoss?: number | null;
  trainableParams?: number;
  /** char_accuracy points as [step, value]. */
  charAccuracy?: [number, number][];
  status?: 'finished' | 'failed';
}

/** A fresh store (in memory, or the file `file`) holding the preset's sweep, every cell a run finished with `numbers(cell)`. */
export async function storedStudy(preset: string, variant: StudyVariant, numbers: (c: SweepCell) => RunNumbers, file = ':memory:'): Promise<{ store: Store; sweepId: number; spec: SweepSpec }> {
  const spec = await studyPreset(preset).build(testEnv(), variant);
  const store = openStore(file);
  const model = store.models.insert(MODEL);
  const ds = store.datasets.insert(DATASET);
  const sweep = store.sweeps.insert({ name: spec.name, spec, status: 'finished' });
  const cells = expandGrid(spec);
  const runs = store.runs.insertMany(sweep.id, cells.map((c) => ({
    cell: c, label: c.label, spec: {}, seed: c.seed, modelId: model.id, datasetId: ds.id, datasetSha256: DATASET.sha256, templateText: null,
    maxSteps: spec.training.maxSteps ?? null, trainableParams: numbers(c).trainableParams ?? 1000, allParams: 2000, outputDir: null,
  })));
  for (const run of runs) {
    const n = numbers(run.cell);
    store.runs.update(run.id, { status: n.status ?? 'finished', valLoss: n.valLoss ?? null, lastLoss: n.trainLoss ?? null });
    const points: MetricPoint[] = (n.charAccuracy ?? []).map(([step, value]) => ({ name: 'char_accuracy', step, value, epoch: null, tokens: null }));
    if (points.length) store.metrics.append(run.id, points);
  }
  return { store, sweepId: sweep.id, spec };
}
