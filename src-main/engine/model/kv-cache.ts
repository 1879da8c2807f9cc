// Key/value cache for incremental decoding. Keys and values are stored per layer before the GQA head
// expansion, so a cache costs n_kv·head_dim per token and layer, not n_heads·head_dim.
// Legend: B batch, nkv kv-heads, S cached tokens, d head_dim.
import * as tf from '@tensorflow/tfjs';

export class KVCache {
  private keys: (tf.Tensor4D | null)[];
  private values: (tf.Tensor4D | null)[];
  /** Tokens already in the cache. */
  length = 0;
  /** (B·S) segment ids of the cached keys (0 = padding), kept in step with the tensors. */
  segments: Int32Array;

  constructor(readonly numLayers: number, readonly batchSize: number) {
    this.keys = new Array(numLayers).fill(null);
    this.values = new Array(numLayers).fill(null);
    this.segments = new Int32Array(0);
  }

  /** Concatenates the new (B, nkv, T, d) keys/values to layer `l`'s cache and returns the full (B, nkv, S, d). */
  append(l: number, k: tf.Tensor4D, v: tf.Tensor4D): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const oldK = this.keys[l];
    const oldV = this.values[l];
    const fullK = oldK ? (tf.concat([oldK, k], 2) as tf.Tensor4D) : k.clone();
    const fullV = oldV ? (tf.concat([oldV, v], 2) as tf.Tensor4D) : v.clone();
    this.keys[l] = tf.keep(fullK);
    this.values[l] = tf.keep(fullV);
    oldK?.dispose();
    oldV?.dispose();
    return { k: fullK, v: fullV };
  }

  /** Records that T tokens with these segment ids (B·T) were appended to every layer. */
  advance(T: number, segments?: Int32Array): void {
    const B = this.batchSize;
    const S = this.length + T;
    const next = new Int32Array(B * S);
    for (let b = 0; b < B; b++) {
      next.set(this.segments.subarray(b * this.length, (b + 1) * this.length), b * S);
      for (let t = 0; t < T; t++) next[b * S + this.length + t] = segments ? segments[b * T + t] : 1;
    }
    this.segments = next;
    this.length = S;
  }

  /** Cached key tensor of layer `l` (for prefix tuning, which seeds the cache). */
  layerKeys(l: number): tf.Tensor4D | null {
    return this.keys[l];
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
    this.length = 0;
    this.segments = new Int32Array(0);
  }
}
