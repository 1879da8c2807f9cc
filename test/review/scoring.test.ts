// The review's scoring maths against cases worked out by hand: Bradley-Terry (MM fit, ties, the weak prior,
// bootstrap intervals), the position-bias figure, ROUGE-L, sentence BLEU, per-axis effects and pair selection.
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src-shared/review/bradley-terry';
import { eloOf, fitBradleyTerry, quantile, scoreBradleyTerry } from '../../src-shared/review/bradley-terry';
import { positionBias } from '../../src-shared/review/position-bias';
import { bleu, rougeL, sentenceBleu, tokenize13a } from '../../src-shared/review/text-metrics';
import { axisEffects, meanStd } from '../../src-shared/review/axis-effects';
import type { PastJudgement } from '../../src-shared/review/pairing';
import { candidatePairs, nextPair, pairKey } from '../../src-shared/review/pairing';

const times = (n: number, c: Comparison): Comparison[] => Array.from({ length: n }, () => c);

describe('Bradley-Terry (MM iterations)', () => {
  // A–B 2:1, B–C 2:1, A–C 4:1. Zermelo's equations W_i = Σ_j n_ij p_i / (p_i + p_j) hold for p = (4, 2, 1):
  //   A: 3·4/6 + 5·4/5 = 2 + 4 = 6 = W_A;  B: 3·2/6 + 3·2/3 = 1 + 2 = 3 = W_B;  C: 3·1/3 + 5·1/5 = 2 = W_C.
  // Centred logs: ln 4 − (ln 4 + ln 2 + 0)/3 = ln 2, ln 2 − ln 2 = 0, 0 − ln 2 = −ln 2.
  const table: Comparison[] = [
    ...times(2, { a: 'A', b: 'B', outcome: 1 }), { a: 'A', b: 'B', outcome: 0 },
    ...times(2, { a: 'B', b: 'C', outcome: 1 }), { a: 'C', b: 'B', outcome: 1 },
    ...times(4, { a: 'A', b: 'C', outcome: 1 }), { a: 'A', b: 'C', outcome: 0 },
  ];

  it('finds the maximum-likelihood strengths of a 3-player table', () => {
    const t = fitBradleyTerry(['A', 'B', 'C'], table);
    expect(t.get('A')).toBeCloseTo(Math.LN2, 9);
    expect(t.get('B')).toBeCloseTo(0, 9);
    expect(t.get('C')).toBeCloseTo(-Math.LN2, 9);
  });

  it('counts a tie as half a win for each side', () => {
    // A: 1 win + 1 tie = 1.5 of 2; B: 0.5 of 2. p_A / (p_A + p_B) = 0.75, so p_A / p_B = 3: θ = ±ln 3 / 2.
    const t = fitBradleyTerry(['A', 'B'], [{ a: 'A', b: 'B', outcome: 1 }, { a: 'B', b: 'A', outcome: 0.5 }]);
    expect(t.get('A')).toBeCloseTo(Math.log(3) / 2, 9);
    expect(t.get('B')).toBeCloseTo(-Math.log(3) / 2, 9);
  });

  it('with the weak prior a clean sweep stays finite, at the root of the fixed-point equations', () => {
    // A beat B once; each also has one virtual tie against a reference of strength 1. By the symmetry p_B = 1/p_A
    // = 1/x, B's equation 0.5 = 1/(x² + 1) + 1/(x + 1) gives x³ − x² − x − 3 = 0 (x ≈ 2.13).
    const t = fitBradleyTerry(['A', 'B'], [{ a: 'A', b: 'B', outcome: 1 }], { prior: 1 });
    const x = Math.exp(t.get('A')! - t.get('B')!) ** 0.5;
    expect(x ** 3 - x ** 2 - x - 3).toBeCloseTo(0, 8);
    expect(x).toBeGreaterThan(2.1);
    expect(x).toBeLessThan(2.2);
  });

  it('leaves players without comparisons unscored and scores with bootstrap intervals that replay', () => {
    const s = scoreBradleyTerry(['A', 'B', 'C', 'D'], table, { prior: 0.1, resamples: 100, seed: 7 });
    const d = s.find((p) => p.id === 'D')!;
    expect(d).toMatchObject({ theta: null, lo: null, hi: null, wins: 0, losses: 0, ties: 0 });
    const a = s.find((p) => p.id === 'A')!;
    expect(a).toMatchObject({ wins: 6, losses: 2, ties: 0 });
    expect(a.lo!).toBeLessThanOrEqual(a.theta!);
    expect(a.hi!).toBeGreaterThanOrEqual(a.theta!);
    expect(scoreBradleyTerry(['A', 'B', 'C', 'D'], table, { prior: 0.1, resamples: 100, seed: 7 })).toEqual(s);
  });

  it('gives no interval from fewer than five comparisons', () => {
    const s = scoreBradleyTerry(['A', 'B'], [{ a: 'A', b: 'B', outcome: 1 }, { a: 'A', b: 'B', outcome: 0.5 }], { prior: 1 });
    expect(s[0]).toMatchObject({ wins: 1, ties: 1, lo: null, hi: null });
    expect(s[0].theta).toBeGreaterThan(0);
  });

  it('quantiles interpolate like numpy; Elo scale puts 400 points on a factor of 10', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20], 0.025)).toBeCloseTo(10.25, 12);
    expect(eloOf(Math.LN10)).toBeCloseTo(1400, 9);
    expect(eloOf(0)).toBe(1000);
  });
});

describe('position bias', () => {
  it('left share of decided judgements and consistency of swapped repeats', () => {
    // 1 L, 2 R, 3 L, 4 tie, 5 skip; 6 repeats 1 swapped: right = sample 10 again (consistent); 7 repeats 2
    // swapped: sample 21 had won, now on the left, and right wins (inconsistent); 8 repeats the tie 4 (consistent).
    const j = (id: number, l: number, r: number, verdict: 'left' | 'right' | 'tie' | 'skip', repeatOf: number | null = null) => ({ id, leftSampleId: l, rightSampleId: r, verdict, repeatOf });
    const b = positionBias([
      j(1, 10, 11, 'left'), j(2, 20, 21, 'right'), j(3, 30, 31, 'left'), j(4, 40, 41, 'tie'), j(5, 50, 51, 'skip'),
      j(6, 11, 10, 'right', 1), j(7, 21, 20, 'right', 2), j(8, 41, 40, 'tie', 4),
    ]);
    // Decided: 1 L, 2 R, 3 L, 6 R, 7 R → 2 of 5 on the left. Repeats: 3, consistent 2.
    expect(b).toEqual({ decided: 5, leftWins: 2, leftShare: 0.4, repeats: 3, consistent: 2, consistency: 2 / 3 });
  });

  it('is null without decided judgements', () => {
    expect(positionBias([])).toEqual({ decided: 0, leftWins: 0, leftShare: null, repeats: 0, consistent: 0, consistency: null });
  });
});

describe('ROUGE-L (js-rouge)', () => {
  it('is the LCS F-measure', () => {
    // LCS of "the cat sat on the mat" and "the cat is on the mat" is "the cat on the mat": 5 of 6 both ways.
    expect(rougeL('the cat sat on the mat', 'the cat is on the mat')).toBeCloseTo(5 / 6, 12);
    // "a b c d" vs "a c e": LCS "a c" = 2; P = 2/4, R = 2/3, F = 2PR/(P + R) = 4/7.
    expect(rougeL('a b c d', 'a c e')).toBeCloseTo(4 / 7, 12);
    expect(rougeL('The Cat', 'the cat')).toBe(1); // case-insensitive
    expect(rougeL('', 'the cat')).toBe(0);
    expect(rougeL('dog', 'the cat')).toBe(0);
  });
});

describe('sentence BLEU (sacreBLEU semantics)', () => {
  it('tokenises like mteval-v13a', () => {
    expect(tokenize13a('Hello, world! It costs 3.5 dollars.')).toEqual(['Hello', ',', 'world', '!', 'It', 'costs', '3.5', 'dollars', '.']);
    expect(tokenize13a('1-2 (ok)')).toEqual(['1', '-', '2', '(', 'ok', ')']);
  });

  it('scores a known pair with exp smoothing of the missing 4-gram order', () => {
    // Candidate "the cat sat on the mat", reference "the cat is on the mat" (6 tokens each, BP = 1).
    // 1-grams 5/6, 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat), 4-grams 0/3 → 1/(2·3).
    // BLEU = 100 · (5/6 · 3/5 · 1/4 · 1/6)^(1/4) = 100 · (1/48)^(1/4) ≈ 37.99.
    const d = sentenceBleu('the cat sat on the mat', 'the cat is on the mat');
    expect(d.correct).toEqual([5, 3, 1, 0]);
    expect(d.total).toEqual([6, 5, 4, 3]);
    expect(d.score).toBeCloseTo(100 * (1 / 48) ** 0.25, 10);
  });

  it('applies the brevity penalty and the effective order', () => {
    // "the cat" vs "the cat is here": c = 2 < r = 4, BP = e^(1 − 4/2) = e^−1; 1-grams 2/2, 2-grams 1/1, no 3-grams.
    expect(bleu('the cat', 'the cat is here')).toBeCloseTo(100 * Math.exp(-1), 10);
    expect(bleu('', 'the cat')).toBe(0);
    expect(bleu('the cat sat on the mat', 'the cat sat on the mat')).toBeCloseTo(100, 10);
  });
});

describe('which setting matters', () => {
  it('means and spreads per axis value, flagged when within the seed spread', () => {
    const row = (r: string, seed: number, loss: number) => ({ axes: { r, seed: String(seed) }, cellKey: r, scores: { loss } });
    // r=8: seeds 1.0, 1.2 (mean 1.1, std √0.02); r=16: 1.05, 1.35 (mean 1.2, std √0.045).
    const rows = [row('8', 1, 1.0), row('8', 2, 1.2), row('16', 1, 1.05), row('16', 2, 1.35)];
    const [e] = axisEffects(rows, ['r'], ['loss']);
    expect(e.values.map((v) => [v.value, v.n])).toEqual([['8', 2], ['16', 2]]);
    expect(e.values[0].mean).toBeCloseTo(1.1, 12);
    expect(e.values[0].std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(e.values[1].mean).toBeCloseTo(1.2, 12);
    expect(e.range).toBeCloseTo(0.1, 12);
    // Seed spread: mean of the per-cell stds (√0.02 + √0.045) / 2 ≈ 0.177 > 0.1: within seed noise.
    expect(e.seedSpread).toBeCloseTo((Math.sqrt(0.02) + Math.sqrt(0.045)) / 2, 12);
    expect(e.withinSeedNoise).toBe(true);
    expect(meanStd([2])).toEqual({ mean: 2, std: null });
  });
});

describe('pair selection', () => {
  const samples = [
    { sampleId: 1, promptId: 1, author: 'base' }, { sampleId: 2, promptId: 1, author: 'run-1' }, { sampleId: 3, promptId: 1, author: 'run-2' },
    { sampleId: 4, promptId: 2, author: 'run-1' },
  ];

  it('pairs different authors on the same prompt only', () => {
    expect(candidatePairs(samples)).toEqual([{ promptId: 1, a: 1, b: 2 }, { promptId: 1, a: 1, b: 3 }, { promptId: 1, a: 2, b: 3 }]);
  });

  it('covers the least-judged pairs first and replays for the same state', () => {
    const history: PastJudgement[] = [];
    const seen: string[] = [];
    for (let turn = 0; turn < 6; turn++) {
      const p = nextPair(samples, history, { rater: 'ann', repeatShare: 0 })!;
      expect(nextPair(samples, history, { rater: 'ann', repeatShare: 0 })).toEqual(p);
      expect(p.judgedBefore).toBe(turn < 3 ? 0 : 1);
      seen.push(pairKey(p.leftSampleId, p.rightSampleId));
      history.push({ id: turn + 1, promptId: p.promptId, leftSampleId: p.leftSampleId, rightSampleId: p.rightSampleId, verdict: 'left', rater: 'ann', repeatOf: null });
    }
    expect(new Set(seen.slice(0, 3)).size).toBe(3);
    expect(new Set(seen.slice(3)).size).toBe(3);
  });

  it('repeats an older decided judgement of the same rater with the sides swapped', () => {
    const h = (id: number, l: number, r: number, rater = 'ann'): PastJudgement => ({ id, promptId: 1, leftSampleId: l, rightSampleId: r, verdict: 'left', rater, repeatOf: null });
    expect(nextPair(samples, [h(1, 1, 2), h(2, 1, 3)], { rater: 'ann', repeatShare: 1 })?.repeatOf).toBeNull(); // too recent
    const p = nextPair(samples, [h(1, 1, 2), h(2, 1, 3), h(3, 3, 2)], { rater: 'ann', repeatShare: 1 });
    expect(p).toMatchObject({ repeatOf: 1, leftSampleId: 2, rightSampleId: 1 });
    expect(nextPair(samples, [h(1, 1, 2), h(2, 1, 3), h(3, 3, 2)], { rater: 'bob', repeatShare: 1 })?.repeatOf).toBeNull();
  });

  it('has nothing to offer with fewer than two authors', () => {
    expect(nextPair([samples[3]], [], { rater: 'ann' })).toBeNull();
  });
});
