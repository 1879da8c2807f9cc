// The frozen base model's memory, measured from the tensors it actually holds (each weight's byteSize), not from
// theory: what a run reports in its `start` event next to the pre-flight's estimate.
import type { CausalLM } from '../model/causal-lm';
import { PROJECTIONS } from '../model/causal-lm';
import type { BaseWeight, LinearLayer } from '../model/linear';
import { FrozenLinear } from '../model/linear';

export interface BaseWeightReport {
  /** Bytes of every frozen base tensor: packed decoder weights, biases, embeddings, norms, lm_head. */
  bytes: number;
  /** Bytes of the decoder's linear weights alone (the quantised part). */
  linearBytes: number;
  /** Decoder linear weights (m·n summed). */
  linearParams: number;
  /** linearBytes · 8 / linearParams: measured storage bits per quantised weight, constants included. */
  bitsPerWeight: number;
  /** Storage format of the decoder's linear weights, e.g. "nf4 + double quantisation, blocksize 64". */
  format: string;
}

/** The frozen layer under an adapter wrapper (LoRA & co. keep it as `base`). */
function frozen(l: LinearLayer): FrozenLinear | null {
  if (l instanceof FrozenLinear) return l;
  const base = (l as { base?: unknown }).base;
  return base instanceof FrozenLinear ? base : null;
}

const formatOf = (w: BaseWeight): string => (w as { format?: string }).format ?? 'float32';

export function measureBaseWeights(model: CausalLM): BaseWeightReport {
  let bytes = model.embedTokens.size * 4 + model.finalNorm.size * 4;
  let linearBytes = 0;
  let linearParams = 0;
  let format = 'float32';
  for (const layer of model.layers) {
    bytes += (layer.inputNorm.size + layer.postNorm.size) * 4;
    for (const name of PROJECTIONS) {
      const f = frozen(layer.proj[name]);
      if (!f) continue;
      linearBytes += f.weight.byteSize();
      linearParams += f.weight.shape[0] * f.weight.shape[1];
      bytes += (f.bias?.size ?? 0) * 4;
      format = formatOf(f.weight);
    }
  }
  const head = frozen(model.lmHead);
  if (head) bytes += head.weight.byteSize();
  bytes += linearBytes;
  return { bytes, linearBytes, linearParams, bitsPerWeight: linearParams ? (linearBytes * 8) / linearParams : 0, format };
}
