// How prompt-learning methods reach into the model (PEFT's PeftModelForCausalLM.forward; peft-spec §5): prompt
// tuning prepends virtual token embeddings to the input, prefix tuning puts per-layer keys and values in front of
// every attention (an initial KV cache). Both act on the first pass only: during decoding they are in the cache.
// Legend: Tv virtual tokens, Tp prefix length, H hidden, nkv kv-heads, d head_dim.
import type * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './linear';

export interface PromptHook {
  enabled: boolean;
  /** Tv (0 when the method adds no virtual tokens). */
  readonly virtualTokenCount: number;
  /** Tp (0 when the method adds no key/value prefix). */
  readonly prefixLength: number;
  /** (Tv, H) embeddings, made inside the caller's tidy. */
  virtualTokens(ctx: ForwardContext): tf.Tensor2D | null;
  /** Per layer (nkv, Tp, d) keys and values, made inside the caller's tidy. */
  prefix(ctx: ForwardContext): { keys: tf.Tensor3D[]; values: tf.Tensor3D[] } | null;
}

/** Positions and segment ids of one pass with Tv virtual tokens and a Tp prefix in front of T real tokens. */
export function promptLayout(
  B: number, T: number, Tv: number, Tp: number, positionIds: Int32Array, segmentIds: Int32Array | undefined,
): { positions: Int32Array; querySegments: Int32Array; keySegments: Int32Array } {
  const Tq = Tv + T;
  const positions = new Int32Array(B * Tq);
  const querySegments = new Int32Array(B * Tq);
  const keySegments = new Int32Array(B * (Tp + Tq));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Tv; t++) {
      positions[b * Tq + t] = t;
      querySegments[b * Tq + t] = 1;
    }
    for (let t = 0; t < T; t++) {
      // Real tokens come after the virtual ones (and the prefix, which fills the cache first, as HF counts it).
      positions[b * Tq + Tv + t] = positionIds[b * T + t] + Tv + Tp;
      querySegments[b * Tq + Tv + t] = segmentIds ? segmentIds[b * T + t] : 1;
    }
    const k = b * (Tp + Tq);
    keySegments.fill(-1, k, k + Tp);
    keySegments.set(querySegments.subarray(b * Tq, (b + 1) * Tq), k + Tp);
  }
  return { positions, querySegments, keySegments };
}
