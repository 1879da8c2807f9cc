// Causal-LM cross-entropy as Hugging Face computes it (labels shifted inside the model: position t predicts
// label t+1; −100 is ignored), summed over target tokens so that gradient accumulation over micro-batches is a
// token-weighted mean exactly. Only the positions that have a target go through lm_head, which saves the
// largest matmul of the step when the loss is on the response only.
// Legend: B batch, T tokens, N = B·T, K = positions with a target, H hidden, V vocab.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '../model/causal-lm';
import type { ForwardContext } from '../model/linear';
import type { Batch } from './batching';

/** The fields of a training batch the loss reads. */
export type LossBatch = Pick<Batch, 'batchSize' | 'seqLen' | 'inputIds' | 'labels' | 'positionIds' | 'segmentIds'>;

export interface LossTargets {
  /** Flat row indices t (0…N−1) whose next-token target counts. */
  positions: Int32Array;
  /** Target token id for each position (the label at t+1). */
  targets: Int32Array;
}

/** Positions t < T−1 with labels[t+1] ≠ −100 inside the same (non-padding) segment. */
export function lossTargets(batch: LossBatch): LossTargets {
  const { batchSize: B, seqLen: T, labels, segmentIds } = batch;
  const pos: number[] = [];
  const tgt: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const i = b * T + t;
      const label = labels[i + 1];
      if (label === -100 || segmentIds[i] === 0 || segmentIds[i] !== segmentIds[i + 1]) continue;
      pos.push(i);
      tgt.push(label);
    }
  }
  return { positions: Int32Array.from(pos), targets: Int32Array.from(tgt) };
}

/** Σ −log p(target) over the batch's K target positions: a scalar; K = 0 gives 0. */
export function summedNll(model: CausalLM, batch: LossBatch, targets: LossTargets, ctx: ForwardContext): tf.Scalar {
  return tf.tidy(() => {
    const K = targets.positions.length;
    if (K === 0) return tf.scalar(0);
    const V = model.config.vocabSize;
    const h = model.hidden(
      { inputIds: batch.inputIds, batchSize: batch.batchSize, seqLen: batch.seqLen, positionIds: batch.positionIds, segmentIds: batch.segmentIds },
      ctx,
    ); // (N, H)
    const hk = tf.gather(h, tf.tensor1d(targets.positions, 'int32')) as tf.Tensor2D; // (K, H)
    const logits = model.lmHead.forward(hk, ctx); // (K, V)
    const lse = tf.logSumExp(logits, -1); // (K)
    const flatIdx = new Int32Array(K);
    for (let k = 0; k < K; k++) flatIdx[k] = k * V + targets.targets[k];
    const picked = tf.gather(logits.reshape([K * V]), tf.tensor1d(flatIdx, 'int32')); // (K)
    return tf.sum(tf.sub(lse, picked)) as tf.Scalar;
  });
}
