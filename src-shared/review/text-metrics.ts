// Automatic scores of an output against the dataset's reference response.
// ROUGE-L: js-rouge's `l` (Lin 2004: LCS-based F-measure, β = 1, summary-level union LCS over sentences, Penn
// Treebank tokens), case-insensitive as Google's rouge-score.
// BLEU: sentence BLEU as sacreBLEU's `sentence_bleu` computes it (Post 2018): up to 4-gram clipped precisions,
// geometric mean, brevity penalty exp(1 − r/c) when c < r, "exp" smoothing (Chen & Cherry 2014 method 3: the
// k-th n-gram order with no match gets precision 1 / (2^k · total)), effective order (orders with no candidate
// n-gram are left out), mteval-v13a tokenisation. Scored 0–100 as sacreBLEU prints it.
import { l as rougeLScore } from 'js-rouge';

/** ROUGE-L F1 in [0, 1]; 0 when either text is blank. */
export function rougeL(candidate: string, reference: string): number {
  if (!candidate.trim() || !reference.trim()) return 0;
  return rougeLScore(candidate, reference, { caseSensitive: false });
}

/** mteval-v13a tokenisation (sacreBLEU's default "13a" tokenizer). */
export function tokenize13a(text: string): string[] {
  let s = text.replace(/<skipped>/g, '').replace(/-\n/g, '').replace(/\n/g, ' ');
  if (s.includes('&')) s = s.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  s = ` ${s} `
    .replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ')
    .replace(/([^0-9])([.,])/g, '$1 $2 ')
    .replace(/([.,])([^0-9])/g, ' $1 $2')
    .replace(/([0-9])(-)/g, '$1 $2 ');
  return s.split(/\s+/).filter(Boolean);
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

export interface BleuDetail {
  score: number;
  /** Matched / total n-grams for n = 1..4. */
  correct: number[];
  total: number[];
  brevityPenalty: number;
  candidateLength: number;
  referenceLength: number;
}

export function sentenceBleu(candidate: string, reference: string, maxOrder = 4): BleuDetail {
  const c = tokenize13a(candidate);
  const r = tokenize13a(reference);
  const correct: number[] = [];
  const total: number[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const cc = ngramCounts(c, n);
    const rc = ngramCounts(r, n);
    let match = 0;
    for (const [g, k] of cc) match += Math.min(k, rc.get(g) ?? 0);
    correct.push(match);
    total.push(Math.max(0, c.length - n + 1));
  }
  const bp = c.length === 0 ? 0 : c.length < r.length ? Math.exp(1 - r.length / c.length) : 1;
  const base = { correct, total, brevityPenalty: bp, candidateLength: c.length, referenceLength: r.length };
  if (c.length === 0) return { score: 0, ...base };
  let smooth = 1;
  let logSum = 0;
  let order = 0;
  for (let n = 0; n < maxOrder; n++) {
    if (total[n] === 0) break;
    order = n + 1;
    let precision: number;
    if (correct[n] === 0) {
      smooth *= 2;
      precision = 100 / (smooth * total[n]);
    } else {
      precision = (100 * correct[n]) / total[n];
    }
    logSum += Math.log(precision);
  }
  return { score: bp * Math.exp(logSum / order), ...base };
}

export function bleu(candidate: string, reference: string): number {
  return sentenceBleu(candidate, reference).score;
}
