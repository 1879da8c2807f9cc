// What the pre-flight of a sweep needs from the outside world: the model's shape, the backend runs will use
// (resolved from "auto" by a worker's probe), and the data statistics (computed in a worker, cached by content).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataStats } from '../../src-shared/protocol/worker';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import { PeftLabError } from '../../src-shared/errors';
import { expandGrid } from '../../src-shared/domain/grid';
import { readModelInfo } from '../engine/model/load';
import type { ModelInfo } from '../engine/model/load';
import type { PreflightContext } from '../sweep/preflight';
import { cellAvailability, cellRunSpec } from '../sweep/cells';
import { modelRunProblems } from '../sweep/model-check';
import { runShortJob } from './runs/short-job';
import type { HostServices } from './services';

export async function resolveBackend(s: HostServices, choice: string): Promise<string> {
  if (choice !== 'auto') return choice;
  return (await s.backends()).auto;
}

function dataKey(spec: SweepSpec, sha: string | null): string {
  return JSON.stringify([spec.model, spec.dataset, sha, spec.template, spec.sequence, spec.training.batchSize, spec.training.maxSteps, spec.training.epochs, spec.training.gradientAccumulation, spec.training.seed]);
}

/** A run spec standing for the whole sweep (the data side is the same for every cell). */
export function representativeRunSpec(spec: SweepSpec, dataDir: string): RunSpec {
  const cells = expandGrid(spec);
  const cell = cells.find((c) => cellAvailability(c).state === 'ok') ?? cells[0];
  return cellRunSpec(spec, cell, path.join(dataDir, 'probe'));
}

export async function preflightContext(s: HostServices, spec: SweepSpec, signal?: AbortSignal): Promise<PreflightContext & { model: ModelInfo }> {
  const model = await readModelInfo(spec.model);
  const backend = await resolveBackend(s, spec.backend);
  const sha = s.store.datasets.list().find((d) => d.path === path.resolve(spec.dataset.path))?.sha256 ?? null;
  const key = dataKey(spec, sha);
  let stats = s.dataStatsCache.get(key);
  if (!stats && !fs.existsSync(path.join(spec.model, 'tokenizer.json'))) {
    stats = statsWithoutTokenizer(s, spec);
  } else if (!stats) {
    const job = await runShortJob({ kind: 'data-stats', spec: representativeRunSpec(spec, s.dataDir), specDir: s.dataDir }, 'data-stats', signal);
    stats = job.stats;
    s.dataStatsCache.set(key, stats);
  }
  const probed = new Map<string, number>();
  for (const cell of expandGrid(spec)) {
    const v = s.probeCache.get(probeKey(spec, cell.key, backend));
    if (v !== undefined) probed.set(cell.key, v);
  }
  const { problems: modelProblems } = await modelRunProblems(spec.model);
  return { model, maxSteps: stats.maxSteps, trainExamples: stats.trainExamples, validationExamples: stats.validationExamples, backend, probed, modelProblems };
}

/**
 * A model card (config.json only) cannot tokenize: plan from the registered dataset's record count and the split,
 * with maxSteps given (epochs need token counts to turn into updates).
 */
function statsWithoutTokenizer(s: HostServices, spec: SweepSpec): DataStats {
  if (!spec.training.maxSteps) {
    throw new PeftLabError('SPEC_INVALID', `${spec.model} has no tokenizer.json (a model card?), so epochs cannot be counted; set training.maxSteps to plan it`);
  }
  const ds = s.store.datasets.list().find((d) => d.path === path.resolve(spec.dataset.path));
  const records = Math.min(ds?.records ?? 0, spec.dataset.maxExamples ?? Infinity);
  const validation = spec.dataset.validationPath ? 0 : records > 1 && spec.dataset.validationSplit > 0 ? Math.min(records - 1, Math.max(1, Math.round(records * spec.dataset.validationSplit))) : 0;
  return { trainExamples: records - validation, validationExamples: validation, batchesPerEpoch: Math.ceil((records - validation) / spec.training.batchSize), maxSteps: spec.training.maxSteps, truncated: 0, dropped: 0 };
}

export function probeKey(spec: SweepSpec, cellKey: string, backend: string): string {
  return JSON.stringify([spec.model, cellKey, backend, spec.training.batchSize, spec.training.gradientAccumulation, spec.sequence, spec.training.gradientCheckpointing]);
}
