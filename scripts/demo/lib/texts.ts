// The texts made from a word split: the language-modelling lines of pre-training, and the Alpaca-layout
// instruction records of fine-tuning, validation and review.
//   LM line:      `lucid (adjective): transparently clear; easily understandable; "a lucid explanation"`
//   instruction:  {"instruction": "Define the word lucid (adjective).", "input": "", "output": "<definition>"}
//                 {"instruction": "Use the word lucid in a sentence.", "input": "", "output": "<example>"}
// A "use" record exists only where WordNet has an example sentence (of the word's chosen part of speech) that
// contains the word or an inflection of it.
import type { WordSense, WordSplit } from './split';
import { wordTokens } from './split';
import type { Synset, WordNet } from './wordnet';

export interface InstructionRecord {
  instruction: string;
  input: string;
  output: string;
}

export interface ReviewRecord extends InstructionRecord {
  word: string;
  pos: string;
}

export function lmLine(head: string, s: Synset): string {
  return `${head} (${s.pos}): ${s.gloss}`;
}

/** Lower-case lemmas of the pre-training words: every lemma outside the other three sets. */
export function pretrainingLemmas(wn: WordNet, split: WordSplit): Set<string> {
  const other = new Set([...split.validation, ...split.review, ...split.fineTuning]);
  return new Set([...split.senses.keys()].filter((l) => !other.has(l)));
}

/**
 * One line per synset that has a pre-training word and no held-out word, headed by its first pre-training word,
 * in the order of the WordNet files (noun, verb, adjective, adverb; by offset).
 */
export function pretrainingLines(wn: WordNet, split: WordSplit): string[] {
  const lemmas = pretrainingLemmas(wn, split);
  const lines: string[] = [];
  for (const s of wn.synsets.values()) {
    if (split.heldOutSynsets.has(s.id)) continue;
    const head = s.words.find((w) => lemmas.has(w.toLowerCase()));
    if (head !== undefined) lines.push(lmLine(head, s));
  }
  return lines;
}

/** LM lines of held-out words (every sense of the chosen part of speech): held-out text for perplexity. */
export function heldOutLines(wn: WordNet, split: WordSplit, words: readonly string[]): string[] {
  return words.flatMap((w) => split.senses.get(w)!.synsets.map((id) => lmLine(w, wn.synsets.get(id)!)));
}

/** An example sentence of the word's senses that contains the word (or a form starting with its stem). */
export function exampleFor(wn: WordNet, sense: WordSense): string | null {
  const stem = sense.lemma.length > 4 ? sense.lemma.slice(0, -1) : sense.lemma;
  for (const id of sense.synsets) {
    const found = wn.synsets.get(id)!.examples.find((e) => wordTokens(e).some((t) => t.startsWith(stem)));
    if (found) return found;
  }
  return null;
}

export function defineRecord(wn: WordNet, sense: WordSense): InstructionRecord {
  const s = wn.synsets.get(sense.synsets[0])!;
  return { instruction: `Define the word ${sense.lemma} (${sense.pos}).`, input: '', output: s.definition };
}

export function instructionRecords(wn: WordNet, split: WordSplit, words: readonly string[]): InstructionRecord[] {
  const out: InstructionRecord[] = [];
  for (const w of words) {
    const sense = split.senses.get(w)!;
    out.push(defineRecord(wn, sense));
    const example = exampleFor(wn, sense);
    if (example !== null) out.push({ instruction: `Use the word ${w} in a sentence.`, input: '', output: example });
  }
  return out;
}

export function reviewRecords(wn: WordNet, split: WordSplit): ReviewRecord[] {
  return split.review.map((w) => {
    const sense = split.senses.get(w)!;
    return { ...defineRecord(wn, sense), word: w, pos: sense.pos };
  });
}
