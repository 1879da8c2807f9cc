// Byte-level BPE training (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with Subword Units",
// as GPT-2 applies it to bytes): start from the 256 byte symbols, then repeatedly merge the most frequent adjacent
// pair of symbols inside the pre-tokenized pieces, counted over the corpus. Ties go to the pair whose left symbol,
// then right symbol, sorts first (JavaScript string order), so the result is deterministic.
//
// Counting is incremental: pair counts are kept for the whole corpus and, after each merge, only the pieces that
// held the merged pair are re-counted (their old pairs subtracted, the new ones added).
import { bytesToUnicode, preTokenize } from './byte-level';

export interface BpeResult {
  /** Merges in rank order, as [left, right]. */
  merges: [string, string][];
  /** Tokens in id order after the byte symbols: the result of each merge that made a new token. */
  tokens: string[];
}

/** Piece (in byte-level characters) → how often it occurs in the texts. */
export function countPieces(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const p of preTokenize(text)) counts.set(p, (counts.get(p) ?? 0) + 1);
  return counts;
}

const KEY = 1 << 16;
const pairKey = (a: number, b: number) => a * KEY + b;

/**
 * Learns merges until `newTokens` tokens beyond the 256 bytes exist (or no pair occurs twice).
 * `counts` is read in sorted-piece order, so the result does not depend on the map's insertion order.
 */
export function trainBpe(counts: Map<string, number>, newTokens: number): BpeResult {
  const symbols = bytesToUnicode(); // symbol id → string; ids 0..255 are the bytes
  const idOf = new Map(symbols.map((s, i) => [s, i]));
  const pieces = [...counts.keys()].sort();
  const words = pieces.map((p) => [...p].map((ch) => idOf.get(ch)!));
  const freq = pieces.map((p) => counts.get(p)!);
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i], s[i + 1]);
      const c = (pairCount.get(k) ?? 0) + sign * freq[w];
      if (c === 0) pairCount.delete(k);
      else pairCount.set(k, c);
      if (sign > 0) {
        let set = where.get(k);
        if (!set) where.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((_, w) => addPairs(w, 1));
  const merges: [string, string][] = [];
  const tokens: string[] = [];
  const seen = new Set(symbols);
  while (tokens.length < newTokens) {
    let best = -1;
    let bestCount = 1; // a pair must occur at least twice
    for (const [k, c] of pairCount) {
      if (c > bestCount || (c === bestCount && best >= 0 && before(k, best, symbols))) {
        best = k;
        bestCount = c;
      }
    }
    if (best < 0) break;
    const a = Math.floor(best / KEY);
    const b = best % KEY;
    const merged = symbols[a] + symbols[b];
    let id = idOf.get(merged);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(merged);
      idOf.set(merged, id);
    }
    merges.push([symbols[a], symbols[b]]);
    if (!seen.has(merged)) {
      seen.add(merged);
      tokens.push(merged);
    }
    for (const w of where.get(best) ?? []) {
      if (!contains(words[w], a, b)) continue;
      addPairs(w, -1);
      words[w] = mergeIn(words[w], a, b, id);
      addPairs(w, 1);
    }
    where.delete(best);
  }
  return { merges, tokens };
}

/** Pair k sorts before pair j: left symbol first, then right symbol. */
function before(k: number, j: number, symbols: string[]): boolean {
  const [ka, kb, ja, jb] = [symbols[Math.floor(k / KEY)], symbols[k % KEY], symbols[Math.floor(j / KEY)], symbols[j % KEY]];
  return ka !== ja ? ka < ja : kb < jb;
}

function contains(s: number[], a: number, b: number): boolean {
  for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) return true;
  return false;
}

/** Replaces each non-overlapping (a, b), left to right, with `id`. */
export function mergeIn(s: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(s[i]);
  }
  return out;
}
