// The demo's instruction data (resources/demo/data) and the split behind it: the files parse in the Alpaca layout,
// their sizes are the ones split.json states, and the held-out (validation and review) words appear in no training
// text: not in train.jsonl, and not in the pre-training text, which is rebuilt here from WordNet by the same code
// and checked to be byte-identical to the text the model was trained on (its sha256 in split.json and the card).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCorpus, sha256, textJsonl } from '../../scripts/demo/lib/corpus';
import { wordTokens } from '../../scripts/demo/lib/split';

const root = path.resolve(__dirname, '../../resources/demo');
const read = (name: string) => fs.readFileSync(path.join(root, 'data', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
const split = JSON.parse(fs.readFileSync(path.join(root, 'data/split.json'), 'utf8'));
const train = read('train.jsonl');
const validation = read('validation.jsonl');
const review = read('review.jsonl');
const heldOut: string[] = [...split.validationWords, ...split.reviewWords];

/** Texts in which some word starts with a held-out word (so inflections count as mentions too). */
function mentions(texts: string[]): string[] {
  const hits: string[] = [];
  for (const text of texts) {
    const tokens = wordTokens(text);
    for (const w of heldOut) if (tokens.some((t) => t.startsWith(w))) hits.push(`${w}: ${text}`);
  }
  return hits;
}

describe('demo data files', () => {
  it('are Alpaca records (instruction, input, output) of the stated sizes', () => {
    for (const r of [...train, ...validation, ...review]) {
      expect(typeof r.instruction).toBe('string');
      expect(r.input).toBe('');
      expect(r.output.length).toBeGreaterThan(0);
    }
    expect([train.length, validation.length, review.length]).toEqual([split.records.train, split.records.validation, split.records.review]);
    expect(train.length).toBeLessThanOrEqual(4000);
    expect(review.map((r) => r.word)).toEqual(split.reviewWords);
    expect(review[0].instruction).toBe(`Define the word ${review[0].word} (${review[0].pos}).`);
  });

  it('keep the word sets disjoint', () => {
    const sets = [split.fineTuningWords, split.validationWords, split.reviewWords].map((s: string[]) => new Set(s));
    expect(sets.map((s) => s.size)).toEqual([split.words.fineTuning, split.words.validation, split.words.review]);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) for (const w of sets[i]) expect(sets[j].has(w)).toBe(false);
  });

  it('never mention a held-out word in the fine-tuning data', () => {
    expect(mentions(train.map((r) => `${r.instruction} ${r.output}`))).toEqual([]);
    // while the validation file does ask about them
    expect(validation.filter((r) => heldOut.some((w) => r.instruction.includes(` ${w} `))).length).toBe(validation.length);
  });

  it('come from a split whose pre-training text never mentions a held-out word', () => {
    const corpus = buildCorpus();
    expect(sha256(textJsonl(corpus.pretraining))).toBe(split.pretrainingSha256);
    expect(corpus.split.validation).toEqual(split.validationWords);
    expect(mentions(corpus.pretraining)).toEqual([]);
    expect(fs.readFileSync(path.join(root, 'model/README.md'), 'utf8')).toContain(split.pretrainingSha256);
  });
});
