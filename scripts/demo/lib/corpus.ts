// The whole corpus of the demo from WordNet, as data: the split and every text made from it. Pure (no files
// written), so a test can rebuild it and check what the committed files claim.
import { createHash } from 'node:crypto';
import { SPLIT_SEED, SPLIT_SIZES } from './settings';
import type { WordSplit } from './split';
import { splitWords } from './split';
import type { InstructionRecord, ReviewRecord } from './texts';
import { heldOutLines, instructionRecords, pretrainingLines, reviewRecords } from './texts';
import type { WordNet } from './wordnet';
import { readWordNet } from './wordnet';

export interface DemoCorpus {
  wordnet: WordNet;
  split: WordSplit;
  /** Pre-training language-modelling lines. */
  pretraining: string[];
  /** LM lines of the validation words (held-out text for the base model's perplexity). */
  heldOutText: string[];
  train: InstructionRecord[];
  validation: InstructionRecord[];
  review: ReviewRecord[];
}

export function buildCorpus(wordnet = readWordNet()): DemoCorpus {
  const split = splitWords(wordnet, SPLIT_SIZES, SPLIT_SEED);
  return {
    wordnet,
    split,
    pretraining: pretrainingLines(wordnet, split),
    heldOutText: heldOutLines(wordnet, split, split.validation),
    train: instructionRecords(wordnet, split, split.fineTuning),
    validation: instructionRecords(wordnet, split, split.validation),
    review: reviewRecords(wordnet, split),
  };
}

/** JSON Lines of `{"text": line}` objects, as the pre-training step reads them. */
export function textJsonl(lines: readonly string[]): string {
  return lines.map((text) => JSON.stringify({ text })).join('\n') + '\n';
}

export function jsonl(records: readonly object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
