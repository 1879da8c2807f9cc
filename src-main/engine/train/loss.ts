// Causal-LM cross-entropy as Hugging Face computes it (labels shifted inside the model: position t predicts
// label t+1; −100 is ignored), summed over target tokens so that gradient accumulation over micro-batches is a
// token-weighted mean exactly. Only the positions that have a target go through lm_head, which saves the
// largest matmul of the step when the loss is on the response only.
// Legend: B batch, T tokens, N = B·T, K = positions with a target, H hidden, V vocab.
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
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

/** The logits at the batch's K target positions (K ≥ 1): (K, V). */
export function targetLogits(model: CausalLM, batch: LossBatch, targets: LossTargets, ctx: ForwardContext): tf.Tensor2D {
  return tf.tidy(() => {
    const h = model.hidden(
      { inputIds: batch.inputIds, batchSize: batch.batchSize, seqLen: batch.seqLen, positionIds: batch.positionIds, segmentIds: batch.segmentIds },
      ctx,
    ); // (N, H)
    const hk = tf.gather(h, tf.tensor1d(targets.positions, 'int32')) as tf.Tensor2D; // (K, H)
    return model.lmHead.forward(hk, ctx); // (K, V)
  });
}

/** Σ −log p(target) over the batch's K target positions: a scalar; K = 0 gives 0. */
export function summedNll(model: CausalLM, batch: LossBatch, targets: LossTargets, ctx: ForwardContext): tf.Scalar {
  return tf.tidy(() => {
    if (targets.positions.length === 0) return tf.scalar(0);
    return crossEntropySum(targetLogits(model, batch, targets, ctx), targets.targets);
  });
}

/**
 * Σ_k (logsumexp(logits_k) − logits_k[target_k]) with its gradient written out: (softmax − one_hot(target))·dy.
 * The same numbers as composing logSumExp and gather, without the autodiff of those ops: max's gradient (an
 * element-wise Equal over K×V, very slow on wasm), and gather's (a segment sum that scatters K values into K×V
 * zeros). One softmax kernel does the exponentials (vectorised on wasm, where a plain exp is not); since the
 * largest probability is exp(0)/Σ = 1/Σ exactly, logsumexp = max − log(max p), with max p ≥ 1/V (no underflow).
 * The softmax is kept from the forward pass for the gradient (K×V floats, the size of the logits). The one-hot is
 * built as int32 and cast: wasm's OneHot kernel fills a float32 output with int32 bit patterns.
 */
export function crossEntropySum(logits: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [K, V] = logits.shape;
  const flatIdx = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const t = targets[k];
    if (!(t >= 0 && t < V)) {
      throw new PeftLabError('DATASET_INVALID', `Target token id ${t} is outside the model's vocabulary (0…${V - 1}): ` +
        'the tokenizer does not match the model (check tokenizer.json against config.json vocab_size).');
    }
    flatIdx[k] = k * V + t;
  }
  const f = tf.customGrad((x, save) => {
    const logitsIn = x as tf.Tensor2D;
    const probs = tf.softmax(logitsIn);
    const lse = tf.sub(tf.max(logitsIn, -1), tf.log(tf.max(probs, -1))); // (K)
    const picked = tf.gather(logitsIn.reshape([K * V]), tf.tensor1d(flatIdx, 'int32'));
    (save as tf.GradSaveFunc)([probs]);
    return {
      value: tf.sum(tf.sub(lse, picked)),
      // In a tidy: tfjs calls a custom gradient outside one, and the one-hot, its cast and the difference (three more
      // K×V tensors, the largest of the step) would stay until the backward pass ends.
      gradFunc: (dy, saved) => tf.tidy(() => tf.mul(tf.sub(saved[0], tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), V), 'float32')), dy)),
    };
  });
  return f(logits) as tf.Scalar;
}
