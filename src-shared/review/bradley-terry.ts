// Bradley-Terry strengths from pairwise judgements: P(i beats j) = p_i / (p_i + p_j). Fitted by the MM
// (minorise-maximise) iterations of Hunter (2004), "MM algorithms for generalized Bradley-Terry models", eq. (3),
// which are Zermelo's (1929) fixed-point equations  p_i = W_i / Σ_j n_ij / (p_i + p_j). A tie counts as half a
// win for each side. An optional weak prior (`prior` virtual ties against a reference player of strength 1) keeps
// strengths finite when a player won or lost every comparison; prior 0 gives the plain maximum-likelihood fit.
// Scores are θ_i = ln p_i, centred to mean 0 over the players; 95% intervals come from a seeded bootstrap over the
// judgements (percentile method), given at least `minForIntervals` comparisons (a resample of one or two
// judgements says nothing about spread).
import { seededRandom } from './rng';

export interface Comparison {
  a: string;
  b: string;
  /** 1: a won, 0: b won, 0.5: tie. */
  outcome: 1 | 0 | 0.5;
}

export interface PlayerScore {
  id: string;
  /** ln strength, centred over the players (0 = average); null when the player has no comparison. */
  theta: number | null;
  /** 95% bootstrap interval of theta. */
  lo: number | null;
  hi: number | null;
  wins: number;
  losses: number;
  ties: number;
}

export interface FitOptions {
  /** Virtual ties of each player against a fixed reference player (0: the plain MLE). */
  prior?: number;
  maxIterations?: number;
  tolerance?: number;
}

/** Comparisons as player indices, so that bootstrap resamples index into them without rebuilding anything. */
interface Indexed { k: number; a: Int32Array; b: Int32Array; outcome: Float64Array }

function indexComparisons(players: readonly string[], comparisons: readonly Comparison[]): Indexed {
  const index = new Map(players.map((p, i) => [p, i]));
  const kept = comparisons.filter((c) => index.has(c.a) && index.has(c.b) && c.a !== c.b);
  return {
    k: players.length,
    a: Int32Array.from(kept, (c) => index.get(c.a)!),
    b: Int32Array.from(kept, (c) => index.get(c.b)!),
    outcome: Float64Array.from(kept, (c) => c.outcome),
  };
}

interface Fit { p: Float64Array; seen: Uint8Array }

/** The distinct pairs (i < j) among the picked comparisons with how many times each was compared, in row-major order. */
function pairCounts(x: Indexed, pick: Int32Array | null, wins: Float64Array, seen: Uint8Array): { ei: Int32Array; ej: Int32Array; en: Float64Array } {
  const { k } = x;
  // Sparse: a study of hundreds of runs has far fewer compared pairs than k², so no k × k table.
  const counts = new Map<number, number>();
  const m = pick ? pick.length : x.a.length;
  for (let t = 0; t < m; t++) {
    const c = pick ? pick[t] : t;
    const i = x.a[c];
    const j = x.b[c];
    wins[i] += x.outcome[c];
    wins[j] += 1 - x.outcome[c];
    const key = i < j ? i * k + j : j * k + i;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    seen[i] = seen[j] = 1;
  }
  const keys = Float64Array.from(counts.keys()).sort();
  const ei = new Int32Array(keys.length);
  const ej = new Int32Array(keys.length);
  const en = new Float64Array(keys.length);
  keys.forEach((key, e) => {
    ei[e] = Math.floor(key / k);
    ej[e] = key % k;
    en[e] = counts.get(key)!;
  });
  return { ei, ej, en };
}

/** One MM step with its rescaling: `out` = F(`p`) (players without comparisons stay at 1). */
function mmStep(p: Float64Array, out: Float64Array, c: { wins: Float64Array; seen: Uint8Array; ei: Int32Array; ej: Int32Array; en: Float64Array; prior: number; denom: Float64Array }): void {
  const { wins, seen, ei, ej, en, prior, denom } = c;
  const k = p.length;
  for (let i = 0; i < k; i++) denom[i] = prior / (p[i] + 1);
  for (let e = 0; e < ei.length; e++) {
    const i = ei[e];
    const j = ej[e];
    const share = en[e] / (p[i] + p[j]);
    denom[i] += share;
    denom[j] += share;
  }
  out.fill(1);
  for (let i = 0; i < k; i++) if (seen[i]) out[i] = (wins[i] + prior / 2) / denom[i];
  if (prior === 0) normaliseGeometric(out, seen);
  else rescaleToPrior(out, seen);
}

/**
 * MM iterations over the comparisons `pick` selects (all when null), accelerated by SQUAREM (Varadhan & Roland
 * 2008, "Simple and globally convergent methods for accelerating the convergence of any EM algorithm", scheme S3)
 * in log-strength space: from θ0, two MM steps θ1, θ2 give r = θ1 − θ0 and v = θ2 − 2θ1 + θ0; the step
 * θ0 − 2αr + α²v with α = −‖r‖/‖v‖ (at most −1, which is θ2 itself) is followed by one MM step that keeps it on
 * the map. The fixed point is the MM one; a study of hundreds of players needs a few dozen steps instead of
 * hundreds. Stops when one MM step moves no ln p_i by `tolerance` or more.
 */
function fitIndexed(x: Indexed, pick: Int32Array | null, o: FitOptions & { start?: Float64Array }): Fit {
  const { k } = x;
  const wins = new Float64Array(k);
  const seen = new Uint8Array(k);
  const c = { wins, seen, ...pairCounts(x, pick, wins, seen), prior: o.prior ?? 0, denom: new Float64Array(k) };
  const tolerance = o.tolerance ?? 1e-10;
  const maxSteps = o.maxIterations ?? 10_000;
  const p0 = o.start ? Float64Array.from(o.start) : new Float64Array(k).fill(1);
  const p1 = new Float64Array(k);
  const p2 = new Float64Array(k);
  const p3 = new Float64Array(k);
  const r = new Float64Array(k);
  const v = new Float64Array(k);
  for (let steps = 0; steps < maxSteps; steps += 3) {
    mmStep(p0, p1, c);
    let change = 0;
    for (let i = 0; i < k; i++) if (seen[i]) change = Math.max(change, Math.abs(Math.log(p1[i] / p0[i])));
    if (!(change >= tolerance)) return { p: Float64Array.from(p1), seen };
    mmStep(p1, p2, c);
    let rr = 0;
    let vv = 0;
    for (let i = 0; i < k; i++) {
      if (!seen[i]) continue;
      const l0 = Math.log(p0[i]);
      const l1 = Math.log(p1[i]);
      r[i] = l1 - l0;
      v[i] = Math.log(p2[i]) - 2 * l1 + l0;
      rr += r[i] * r[i];
      vv += v[i] * v[i];
    }
    const alpha = vv > 0 ? Math.min(-1, -Math.sqrt(rr / vv)) : -1;
    for (let i = 0; i < k; i++) p3[i] = seen[i] ? Math.exp(Math.log(p0[i]) - 2 * alpha * r[i] + alpha * alpha * v[i]) : 1;
    let finite = true;
    for (let i = 0; i < k && finite; i++) finite = Number.isFinite(p3[i]) && p3[i] > 0;
    // Back to the plain two steps when the extrapolation left the positive reals.
    mmStep(finite ? p3 : p2, p0, c);
  }
  return { p: p0, seen };
}

/** θ for each player (centred), by MM iterations. Players without comparisons get null. */
export function fitBradleyTerry(players: readonly string[], comparisons: readonly Comparison[], o: FitOptions = {}): Map<string, number | null> {
  const { p, seen } = fitIndexed(indexComparisons(players, comparisons), null, o);
  return centred(players, p, seen);
}

/**
 * With the prior, the common scale of the strengths is pinned only by the virtual ties, which MM moves very
 * slowly; one Newton solve for the best common factor per iteration (the pairwise terms do not depend on it)
 * removes that slow mode without changing the fixed point.
 */
function rescaleToPrior(p: Float64Array, seen: Uint8Array): void {
  let shift = 0;
  for (let step = 0; step < 20; step++) {
    let grad = 0;
    let curv = 0;
    const f = Math.exp(shift);
    for (let i = 0; i < p.length; i++) {
      if (!seen[i]) continue;
      const q = (p[i] * f) / (p[i] * f + 1);
      grad += 0.5 - q;
      curv += q * (1 - q);
    }
    if (curv === 0) return;
    const delta = grad / curv;
    shift += delta;
    if (Math.abs(delta) < 1e-14) break;
  }
  const f = Math.exp(shift);
  for (let i = 0; i < p.length; i++) if (seen[i]) p[i] *= f;
}

function normaliseGeometric(p: Float64Array, seen: Uint8Array): void {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < p.length; i++) if (seen[i]) { sum += Math.log(p[i]); count++; }
  const g = Math.exp(sum / Math.max(1, count));
  for (let i = 0; i < p.length; i++) if (seen[i]) p[i] /= g;
}

function centred(players: readonly string[], p: Float64Array, seen: Uint8Array): Map<string, number | null> {
  const logs = players.map((_, i) => (seen[i] ? Math.log(p[i]) : null));
  const known = logs.filter((x): x is number => x !== null && Number.isFinite(x));
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  return new Map(players.map((id, i) => [id, logs[i] === null ? null : (logs[i] as number) - mean]));
}

export interface ScoreOptions extends FitOptions {
  /** Bootstrap resamples (default 200); 0: no intervals. */
  resamples?: number;
  /** Fewer comparisons than this (default 5): no intervals. */
  minForIntervals?: number;
  seed?: number;
}

/** θ with 95% bootstrap intervals and each player's record. */
export function scoreBradleyTerry(players: readonly string[], comparisons: readonly Comparison[], o: ScoreOptions = {}): PlayerScore[] {
  const x = indexComparisons(players, comparisons);
  const full = fitIndexed(x, null, o);
  const theta = centred(players, full.p, full.seen);
  const samples = new Map(players.map((p) => [p, [] as number[]]));
  const n = x.a.length;
  const resamples = n >= (o.minForIntervals ?? 5) ? (o.resamples ?? 200) : 0;
  const rand = seededRandom(o.seed ?? 1);
  const pick = new Int32Array(n);
  // Resamples start from the full fit and stop at 1e-6 (far below what an interval shows).
  for (let b = 0; b < resamples; b++) {
    for (let t = 0; t < n; t++) pick[t] = Math.floor(rand() * n);
    const fit = fitIndexed(x, pick, { ...o, start: full.p, tolerance: 1e-6 });
    for (const [id, t] of centred(players, fit.p, fit.seen)) if (t !== null && Number.isFinite(t)) samples.get(id)!.push(t);
  }
  return players.map((id) => {
    const s = samples.get(id)!.sort((x, y) => x - y);
    const rec = record(id, comparisons);
    const t = theta.get(id) ?? null;
    return { id, theta: t, lo: s.length && t !== null ? quantile(s, 0.025) : null, hi: s.length && t !== null ? quantile(s, 0.975) : null, ...rec };
  });
}

function record(id: string, comparisons: readonly Comparison[]): { wins: number; losses: number; ties: number } {
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (const c of comparisons) {
    if (c.a !== id && c.b !== id) continue;
    if (c.outcome === 0.5) ties++;
    else if ((c.outcome === 1) === (c.a === id)) wins++;
    else losses++;
  }
  return { wins, losses, ties };
}

/** Linear interpolation between order statistics (type 7, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** θ on the Elo scale (400 points per factor of 10 in odds, 1000 = average), for reading. */
export function eloOf(theta: number): number {
  return 1000 + (400 * theta) / Math.LN10;
}
