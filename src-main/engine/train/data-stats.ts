// How many examples and optimizer updates a run spec amounts to, without loading the model's weights
// (tokenizer and data only): what the sweep pre-flight needs for its numbers.
import * as path from 'node:path';
import type { RunSpec } from '../../../src-shared/domain/run-spec';
import type { DataStats } from '../../../src-shared/protocol/worker';
import { TextTokenizer } from '../model/tokenizer';
import { BatchIterator } from './batching';
import { prepareData } from './data-prep';

export async function dataStats(spec: RunSpec, specDir: string): Promise<DataStats> {
  const tok = await TextTokenizer.fromDir(path.resolve(specDir, spec.model));
  const data = await prepareData(spec, specDir, tok);
  const batchesPerEpoch = new BatchIterator(data.train, data.batchOptions).batchesInEpoch(0);
  const t = spec.training;
  return {
    trainExamples: data.train.length,
    validationExamples: data.validation.length,
    batchesPerEpoch,
    maxSteps: t.maxSteps ?? Math.ceil((batchesPerEpoch * (t.epochs ?? 1)) / t.gradientAccumulation),
    truncated: data.trainStats.truncated,
    dropped: data.trainStats.droppedNoTarget,
  };
}
