// The word-level split of WordNet into pre-training, fine-tuning, validation and review words. The unit is the
// lemma (lower case, across parts of speech: "run" the noun and "run" the verb go to the same set), so a held-out
// word is held out in every sense.
//
// Held-out (validation and review) words are drawn only from words that no other synset mentions: no word of any
// other synset's gloss or word list starts with them ("congener" is not a candidate if some gloss says
// "congeners" or some synset holds "congeneric"). Every synset that holds a held-out word is dropped from the
// pre-training and fine-tuning text, so the held-out words, their definitions and their examples never appear in
// training text. Fine-tuning words are common words (tagged in WordNet's semantic concordance) that are not held
// out; every other lemma is a pre-training word. Draws are seeded Fisher–Yates shuffles of sorted lists.
import { Rng } from '../../../src-main/engine/rng';
import type { Pos, Synset, WordNet } from './wordnet';

export interface SplitSizes {
  validation: number;
  review: number;
  fineTuning: number;
}

export interface WordSplit {
  seed: number;
  validation: string[];
  review: string[];
  fineTuning: string[];
  /** Every other lemma (the pre-training words). */
  pretrainingCount: number;
  /** Synsets that hold a held-out word: in no training text. */
  heldOutSynsets: Set<string>;
  /** lemma → its chosen part of speech and first-sense synset (for fine-tuning and held-out words). */
  senses: Map<string, WordSense>;
}

export interface WordSense {
  lemma: string;
  pos: Pos;
  /** Synsets of this lemma in this part of speech, most frequent sense first. */
  synsets: string[];
}

/** A plain single word: lower-case letters only, 4 to 14 of them. */
export const PLAIN_WORD = /^[a-z]{4,14}$/;

/** Lower-case alphabetic tokens of a text. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** token → ids of the synsets whose gloss or words contain it. */
function tokenIndex(synsets: Iterable<Synset>): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const s of synsets) {
    for (const t of new Set([...wordTokens(s.gloss), ...s.words.flatMap(wordTokens)])) {
      let set = index.get(t);
      if (!set) index.set(t, (set = new Set()));
      set.add(s.id);
    }
  }
  return index;
}

/** Lemmas that only their own synsets mention (no token of another synset starts with the lemma). */
export function isolatedLemmas(wn: WordNet, candidates: readonly string[]): string[] {
  const index = tokenIndex(wn.synsets.values());
  const tokens = [...index.keys()].sort();
  const own = ownSynsets(wn);
  const lowerBound = (x: string) => {
    let lo = 0, hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokens[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return candidates.filter((lemma) => {
    const mine = own.get(lemma) ?? new Set<string>();
    for (let i = lowerBound(lemma); i < tokens.length && tokens[i].startsWith(lemma); i++) {
      for (const id of index.get(tokens[i])!) if (!mine.has(id)) return false;
    }
    return true;
  });
}

/** lemma → every synset it belongs to (all parts of speech). */
function ownSynsets(wn: WordNet): Map<string, Set<string>> {
  const own = new Map<string, Set<string>>();
  for (const e of wn.index) {
    let set = own.get(e.lemma);
    if (!set) own.set(e.lemma, (set = new Set()));
    for (const id of e.synsets) set.add(id);
  }
  return own;
}

/** The part of speech a word is asked about: the one with the most tagged senses, then the most senses. */
export function chooseSenses(wn: WordNet): Map<string, WordSense> {
  const best = new Map<string, { sense: WordSense; tagged: number }>();
  for (const e of wn.index) {
    const prev = best.get(e.lemma);
    const better = !prev || e.tagSenseCount > prev.tagged || (e.tagSenseCount === prev.tagged && e.synsets.length > prev.sense.synsets.length);
    if (better) best.set(e.lemma, { sense: { lemma: e.lemma, pos: e.pos, synsets: e.synsets }, tagged: e.tagSenseCount });
  }
  return new Map([...best].map(([k, v]) => [k, v.sense]));
}

export function splitWords(wn: WordNet, sizes: SplitSizes, seed: number): WordSplit {
  const rng = new Rng(seed);
  const senses = chooseSenses(wn);
  const tagged = new Set(wn.index.filter((e) => e.tagSenseCount > 0).map((e) => e.lemma));
  // Plain words that are written in lower case in their first sense (not names such as "Guggenheim").
  const plain = [...senses.keys()].filter((l) => PLAIN_WORD.test(l) && wn.synsets.get(senses.get(l)!.synsets[0])!.words.includes(l)).sort();
  const isolated = isolatedLemmas(wn, plain);
  const heldOut = shuffled(isolated, rng).slice(0, sizes.validation + sizes.review);
  if (heldOut.length < sizes.validation + sizes.review) throw new Error(`only ${isolated.length} isolated words; asked for ${sizes.validation + sizes.review}`);
  const review = heldOut.slice(0, sizes.review).sort();
  const validation = heldOut.slice(sizes.review).sort();
  const heldOutSet = new Set(heldOut);
  const heldOutSynsets = new Set<string>();
  for (const e of wn.index) if (heldOutSet.has(e.lemma)) for (const id of e.synsets) heldOutSynsets.add(id);
  const fineCandidates = plain.filter((l) => tagged.has(l) && !heldOutSet.has(l) && !senses.get(l)!.synsets.some((id) => heldOutSynsets.has(id)));
  const fineTuning = shuffled(fineCandidates, rng).slice(0, sizes.fineTuning).sort();
  const pretrainingCount = senses.size - heldOut.length - fineTuning.length;
  return { seed, validation, review, fineTuning, pretrainingCount, heldOutSynsets, senses };
}
