// From a run spec to tokenized training and validation examples: load records, render the template, tokenize,
// and the batch options every iterator of this run uses.
import type { RunSpec } from '../../../src-shared/domain/run-spec';
import { PeftLabError } from '../../../src-shared/errors';
import type { TextTokenizer } from '../model/tokenizer';
import type { BatchExample, BatchOptions } from './batching';
import { padIdFor } from './batching';
import { loadTrainValidation } from './dataset';
import { renderExample, templateFields } from './templates';
import type { TokenizeStats } from './tokenize';
import { tokenizeExamples } from './tokenize';

export interface PreparedData {
  train: BatchExample[];
  validation: BatchExample[];
  trainStats: TokenizeStats;
  validationStats: TokenizeStats;
  batchOptions: BatchOptions;
}

export async function prepareData(spec: RunSpec, specDir: string, tok: TextTokenizer): Promise<PreparedData> {
  const needs = templateFields(spec.template, true);
  const { train, validation } = await loadTrainValidation(spec.dataset, specDir, needs);
  const render = (records: Record<string, string>[]) => records.map((r) => renderExample(spec.template, r, tok));
  const t = tokenizeExamples(tok, render(train), spec.sequence);
  const v = tokenizeExamples(tok, render(validation), spec.sequence);
  if (t.examples.length === 0) {
    throw new PeftLabError('DATASET_INVALID',
      `${spec.dataset.path}: no training example has a target token left after tokenization ` +
      `(${t.stats.total} records, ${t.stats.truncated} truncated to sequence.maxLength = ${spec.sequence.maxLength}). ` +
      'Raise sequence.maxLength or shorten the prompts.');
  }
  return {
    train: t.examples,
    validation: v.examples,
    trainStats: t.stats,
    validationStats: v.stats,
    batchOptions: {
      batchSize: spec.training.batchSize,
      maxLength: spec.sequence.maxLength,
      packing: spec.sequence.packing,
      padId: padIdFor(tok),
      seed: spec.training.seed,
    },
  };
}
