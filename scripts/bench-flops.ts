// FLOPs of one LoRA training step and one decoding step, counted from the model's shapes (stated in the
// bench's output). Frozen base: the backward pass computes input gradients (2·N per token) but no weight
// gradients, so a step costs ≈ 4·N per token rather than the 6·N of full fine-tuning.
// Legend: N = matmul parameters used per token, T tokens per row, L layers, H hidden, d head_dim.
import type { ModelConfig } from '../src-main/engine/model/config';

export interface StepFlops {
  perToken: number;
  matmulParams: number;
  attention: number;
  lora: number;
  formula: string;
}

export function loraStepFlops(c: ModelConfig, seqLen: number, r: number, targets: string[]): StepFlops {
  const H = c.hiddenSize;
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const I = c.intermediateSize;
  const dims: Record<string, [number, number]> = {
    q_proj: [H, q], k_proj: [H, kv], v_proj: [H, kv], o_proj: [q, H], gate_proj: [H, I], up_proj: [H, I], down_proj: [I, H],
  };
  const perLayer = Object.values(dims).reduce((s, [n, m]) => s + n * m, 0);
  const matmulParams = c.numHiddenLayers * perLayer + c.vocabSize * H; // decoder linears + lm_head
  // QKᵀ and P·V over the full T×T score matrix (the engine computes it all, then masks): 2·2·T·q per token and layer.
  const attnFwd = c.numHiddenLayers * 4 * seqLen * q;
  const loraPerToken = c.numHiddenLayers * targets.reduce((s, t) => s + r * (dims[t][0] + dims[t][1]), 0);
  const perToken = 4 * matmulParams + 3 * attnFwd + 6 * loraPerToken;
  return {
    perToken, matmulParams, attention: 3 * attnFwd, lora: 6 * loraPerToken,
    formula: '4·N (forward 2N + input-gradient 2N, no weight gradients for the frozen base) + 3·attention (2·2·T·H·L forward, twice that backward) + 6·r·(n+m) per LoRA module',
  };
}

/** One decoding step with a KV cache at context length S: 2·N + 4·S·H·L. */
export function decodeFlops(c: ModelConfig, context: number): number {
  const H = c.hiddenSize;
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const perLayer = H * q * 2 + H * kv * 2 + 3 * H * c.intermediateSize;
  return 2 * (c.numHiddenLayers * perLayer + c.vocabSize * H) + 4 * context * q * c.numHiddenLayers;
}
