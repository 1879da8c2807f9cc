// Validation loss and perplexity: the token-weighted mean negative log-likelihood over every target token of
// the validation examples (no dropout), and exp of it.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '../model/causal-lm';
import { INFERENCE } from '../model/linear';
import type { BatchExample, BatchOptions } from './batching';
import { evaluationBatches } from './batching';
import { crossEntropySum, lossTargets, summedNll, targetLogits } from './loss';

export interface EvalResult {
  loss: number;
  perplexity: number;
  tokens: number;
}

/** Receives, per batch, the most likely token at every target position and the true token (teacher forcing). */
export type PredictionSink = (predicted: Int32Array, truth: Int32Array) => void;

export async function evaluateLoss(model: CausalLM, examples: readonly BatchExample[], opts: BatchOptions, predictions?: PredictionSink): Promise<EvalResult> {
  let sum = 0;
  let tokens = 0;
  if (examples.length === 0) return { loss: NaN, perplexity: NaN, tokens: 0 };
  for (const batch of evaluationBatches(examples, { ...opts, shuffle: false })) {
    const targets = lossTargets(batch);
    if (targets.positions.length === 0) continue;
    if (predictions) {
      const [t, best] = tf.tidy(() => {
        const logits = targetLogits(model, batch, targets, INFERENCE); // (K, V)
        return [crossEntropySum(logits, targets.targets), tf.argMax(logits, -1)];
      });
      sum += (await t.data())[0];
      predictions(Int32Array.from(await best.data()), targets.targets);
      tf.dispose([t, best]);
    } else {
      const t = tf.tidy(() => summedNll(model, batch, targets, INFERENCE));
      sum += (await t.data())[0];
      t.dispose();
    }
    tokens += targets.positions.length;
  }
  const loss = tokens ? sum / tokens : NaN;
  return { loss, perplexity: Math.exp(loss), tokens };
}
