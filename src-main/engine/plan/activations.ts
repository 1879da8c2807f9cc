// What a training step holds on top of the weights, adapter and optimizer, counted from this engine's ops the way
// TensorFlow.js counts memory (tf.memory().numBytes, tf.profile's peakBytes): every tensor object, so the clones
// tfjs keeps for backprop count in full even where they share a buffer with another tensor (a reshape of a kept
// tensor, a weight a matmul saves). The distinct buffers are fewer (measured 60–75% of this on the bench's
// reference config); the process adds the runtime (memory.ts). Elements are float32 (4 bytes).
//
// A tfjs backward pass frees nothing until it ends: every saved tensor and every gradient stays, so the peak is
// reached at its end. It holds, per op on the path from the trainable tensors to the loss, what the op saved for its
// gradient (its gradient config's inputs/outputs) plus one gradient per op input (a tensor read by k ops gets k
// gradient tensors: tfjs disposes the running sum, not the parts). The ops with written-out gradients (RMSNorm,
// SwiGLU, the cross-entropy) keep only what they save and compute their gradients in a tidy. Per token and decoder
// layer (legend: H hidden, q = nh·d query width, kv = nkv·d key/value width, I intermediate, nh heads, d head_dim,
// S keys per row = T (+ virtual tokens) (+ prefix); "a | b" = a saved, b gradients):
//   RMSNorm ×2 (rms-norm.ts):  saves x and 1/rms                               H + 1 | H each
//   q, k, v, gate, up inputs:  the matmuls save their inputs                    5H | 5H
//   q heads + rotary:          reshape, transpose, reshape·R·reshape, ·cos, ·sin, add   8q + 2d | 9q   (k: 8kv + 2d | 9kv)
//   v heads:                   reshape, transpose                              kv | 2kv
//   scores:                    q reshape, q·kᵀ (q already scaled by 1/√d), reshape, + mask, softmax, reshape, ·v
//                              q + q + kv + kv + 5·nh·S + S | 2q + 2kv + 5·nh·S, and softmax's gradient leaves
//                              dy⊙y outside its tidy: one more nh·S
//   attention output, o_proj:  reshape, transpose, reshape, matmul             3q | 4q
//   residuals ×2:              each add saves both inputs                      4H | 4H
//   MLP (swiglu.ts):           saves σ(gate), silu(gate), up; down's input      4I | 3I
// which sums to 22H + 28q + 24kv + 7I + 11·nh·S + S + 4d + 2 (the first layer is counted whole although part
// of it is off the path: a slight over-estimate), plus what the method's own ops add (MethodActivations, e.g.
// LoRA's x·Aᵀ, ·Bᵀ, ·s and + per wrapped module), plus a clone of each dense float32 weight a matmul reads.
// Once per step: clones of the embedding table and lm_head's weight and of the RoPE tables; the final RMSNorm over
// every row (2H + 1); the gather of the K loss rows (saves h, gets its gradient: 2H per row), lm_head (saves the
// K rows, gets their gradient: 2·K·H); the cross-entropy (loss.ts): the K·V softmax kept from the forward and the
// logits' gradient (2·K·V).
// With gradient checkpointing (model/recompute.ts) a layer keeps its input, the mask and cos/sin (H + S + 2d) and
// its input's gradient (H); the layer being recomputed holds its full share (and its dense weights) meanwhile.
import type { MethodActivations, ModelShape } from '../adapters/types';

export interface ActivationInputs {
  batchSize: number;
  seqLen: number;
  /** Decoder linears held dense in float32 (bits 32): their matmuls save the input and a clone of the weight. */
  denseBase: boolean;
  gradientCheckpointing?: boolean;
  method?: MethodActivations;
}

/** Elements per token of one decoder layer of the base model (the sum in the header). */
export function layerElementsPerToken(model: ModelShape, keys: number): number {
  const c = model.config;
  const H = c.hiddenSize;
  const d = c.headDim;
  const q = c.numAttentionHeads * d;
  const kv = c.numKeyValueHeads * d;
  return 22 * H + 28 * q + 24 * kv + 7 * c.intermediateSize + 11 * c.numAttentionHeads * keys + keys + 4 * d + 2;
}

/**
 * A LoRA-style wrapped module (y = base(x) + s·B·A·dropout(x)), elements per token, saved | gradients: x·Aᵀ n | n,
 * ·Bᵀ r | r, ·s m | m (none when s = 1), + base 2m | 2m; dropout's add, divide and mask product 4n | 2n.
 */
export function wrappedModuleElements(n: number, m: number, r: number, o: { dropout: boolean; scaled: boolean }): number {
  return 2 * n + 2 * r + (o.scaled ? 6 : 4) * m + (o.dropout ? 6 * n : 0);
}

/** Dense float32 weights of one decoder layer (the clones its matmuls save). */
function layerWeightElements(model: ModelShape): number {
  let n = 0;
  for (const m of model.arch.linearModules(model.config)) if (m.layer === 0) n += m.inFeatures * m.outFeatures;
  return n;
}

/** Bytes a training step holds beyond weights, adapter, gradients and optimizer state, as tfjs counts them. */
export function estimateActivationBytes(model: ModelShape, a: ActivationInputs): number {
  const c = model.config;
  const { hiddenSize: H, headDim: d, vocabSize: V, numHiddenLayers: L } = c;
  const kv = c.numKeyValueHeads * d;
  const Tv = a.method?.virtualTokens ?? 0;
  const Tp = a.method?.prefixTokens ?? 0;
  const Tq = a.seqLen + Tv; // query positions per row
  const S = Tq + Tp; // keys per row
  const rows = a.batchSize * Tq;
  const K = a.batchSize * a.seqLen; // loss rows, at most
  // Prefix tuning: per layer and row, the two concatenations save both parts and give both gradients (4·(Tp + Tq)·kv),
  // and the attention matmuls save, and get gradients for, Tp more keys and values (4·Tp·kv).
  const prefix = Tp > 0 ? a.batchSize * (4 * Tq * kv + 8 * Tp * kv) : 0;
  // Prompt tuning: the virtual rows are concatenated in front (saves and gradients of the concat and its reshapes).
  const virtual = Tv > 0 ? 4 * rows * H : 0;
  // A dense float32 linear saves its weight (a clone); a packed one saves nothing (quant/frozen-matmul.ts: the input
  // is not kept either, the backward dequantises the weight again): 5H + q + I fewer per token.
  const linears = a.denseBase ? layerWeightElements(model) : -rows * (5 * H + c.numAttentionHeads * d + c.intermediateSize);
  const layer = rows * (layerElementsPerToken(model, S) + (a.method?.perTokenPerLayer ?? 0)) + prefix + linears;
  const once = 2 * V * H + 2 * Tq * d // clones of the embedding table, lm_head's weight, the RoPE tables
    + rows * (2 * H + 1) + 2 * K * H + 2 * K * H + virtual // final norm, row gather, lm_head input
    + 2 * K * V; // cross-entropy
  const layers = a.gradientCheckpointing
    ? L * (rows * (2 * H + S + 2 * d) + 4 * Tp * kv) + rows * H + layer // kept per layer; the one recomputed
    : L * layer;
  return 4 * (once + layers);
}
