// Additive attention masks for a causal LM: 0 where a query may attend to a key, −1e9 elsewhere.
// A query at row position past+i may see key j iff j ≤ past+i (causal), both belong to the same segment
// (packed examples never see each other; segment 0 is padding), and, with a sliding window w, past+i − j < w.
// Key segment −1 marks keys every non-padding query may see (prefix tuning's virtual keys and values).
// Legend: B batch, T queries (new tokens), S keys (= past + T).

export const MASKED = -1e9;
export const GLOBAL_SEGMENT = -1;

export interface MaskSpec {
  B: number;
  T: number;
  past: number;
  /** (B·T) segment ids of the queries; absent = every token in segment 1. */
  querySegments?: Int32Array;
  /** (B·S) segment ids of the keys (past included); absent = all 1. */
  keySegments?: Int32Array;
  slidingWindow?: number | null;
}

/** (B, 1, T, S) flattened row-major. A query that may see nothing (padding) sees itself, to keep softmax finite. */
export function buildAttentionMask(spec: MaskSpec): Float32Array {
  const { B, T, past } = spec;
  const S = past + T;
  const out = new Float32Array(B * T * S).fill(MASKED);
  const w = spec.slidingWindow ?? 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const qi = past + i;
      const qs = spec.querySegments ? spec.querySegments[b * T + i] : 1;
      const row = (b * T + i) * S;
      let any = false;
      for (let j = 0; j <= qi; j++) {
        if (w > 0 && qi - j >= w) continue;
        const ks = spec.keySegments ? spec.keySegments[b * S + j] : 1;
        if (ks === 0 || (ks === GLOBAL_SEGMENT ? qs === 0 : ks !== qs)) continue;
        out[row + j] = 0;
        any = true;
      }
      if (!any) out[row + qi] = 0;
    }
  }
  return out;
}

/** Position ids 0…T−1 (offset by `past`) for every row. */
export function defaultPositions(B: number, T: number, past = 0): Int32Array {
  const p = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) p[b * T + t] = past + t;
  return p;
}
