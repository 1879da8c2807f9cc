// Choosing the next token from a logits row, in Hugging Face's order (temperature → top-k → top-p), with a
// seeded generator so that sampled outputs replay. Greedy (or temperature 0) is argmax, lowest id on ties.
import type { Rng } from '../rng';

export interface SamplingOptions {
  greedy: boolean;
  temperature: number;
  /** 0 = off. */
  topK: number;
  /** 1 = off. */
  topP: number;
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Applies temperature, top-k and top-p; returns the probabilities (zeros for removed tokens). */
export function samplingDistribution(logits: Float32Array, o: SamplingOptions): Float64Array {
  const V = logits.length;
  const scores = new Float64Array(V);
  for (let i = 0; i < V; i++) scores[i] = logits[i] / o.temperature;
  const removed = new Uint8Array(V);
  if (o.topK > 0 && o.topK < V) {
    // HF TopKLogitsWarper: remove scores strictly below the k-th largest (ties with it survive).
    const kth = [...scores].sort((a, b) => b - a)[o.topK - 1];
    for (let i = 0; i < V; i++) if (scores[i] < kth) removed[i] = 1;
  }
  const probs = softmaxMasked(scores, removed);
  if (o.topP < 1) {
    // HF TopPLogitsWarper: sort ascending, drop tokens whose cumulative probability ≤ 1 − top_p; keep ≥ 1.
    const order = [...probs.keys()].sort((a, b) => probs[a] - probs[b]);
    let cum = 0;
    for (let j = 0; j < order.length - 1; j++) {
      cum += probs[order[j]];
      if (cum <= 1 - o.topP) removed[order[j]] = 1;
    }
    return softmaxMasked(scores, removed);
  }
  return probs;
}

function softmaxMasked(scores: Float64Array, removed: Uint8Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (!removed[i] && scores[i] > max) max = scores[i];
  const p = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (removed[i]) continue;
    p[i] = Math.exp(scores[i] - max);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

export function sampleToken(logits: Float32Array, o: SamplingOptions, rng: Rng): number {
  if (o.greedy || o.temperature === 0) return argmax(logits);
  const p = samplingDistribution(logits, o);
  const u = rng.uniform();
  let cum = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    cum += p[i];
    last = i;
    if (u < cum) return i;
  }
  return last;
}
