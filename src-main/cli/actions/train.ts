// `peft-lab train --spec run.json`: one training run; JSON-lines events on stdout (start, step, eval,
// checkpoint, finished | failed); the adapter lands in the spec's output folder in PEFT's format.
import * as path from 'node:path';
import type { BackendChoice } from '../../../src-shared/domain/run-spec';
import { RunSpecSchema } from '../../../src-shared/domain/run-spec';
import { parseWith } from '../../../src-shared/domain/validate';
import { runTraining } from '../../engine/train/trainer';
import { assertModelRunnable } from '../../sweep/model-check';
import { readJsonFile } from '../json-file';
import { printJson } from '../output';

export interface TrainCliOptions {
  spec: string;
  backend?: BackendChoice;
  resume?: boolean;
  gradientCheckpointing?: boolean;
}


export function readRunSpec(file: string): ReturnType<typeof RunSpecSchema.parse> {
  const json = readJsonFile(file, 'run spec');
  return parseWith(RunSpecSchema, json, file);
}

export async function train(o: TrainCliOptions): Promise<void> {
  const spec = readRunSpec(o.spec);
  if (o.backend) spec.backend = o.backend;
  if (o.gradientCheckpointing) spec.training.gradientCheckpointing = true;
  await assertModelRunnable(path.resolve(path.dirname(path.resolve(o.spec)), spec.model), spec.method);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await runTraining(spec, { specDir: path.dirname(path.resolve(o.spec)), resume: o.resume, signal: controller.signal, onEvent: printJson });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
