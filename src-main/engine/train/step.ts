// One optimizer update: forward + backward over the micro-batches of a gradient-accumulation group, gradients
// summed and divided by the number of target tokens (a token-weighted mean, as one large batch would give),
// NaN/inf check, global-norm clipping, AdamW. Only adapter variables get gradients: the base weights are plain
// tensors, so tfjs never computes gradients for them.
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import type { CausalLM } from '../model/causal-lm';
import { mixSeed } from '../rng';
import type { Batch } from './batching';
import { lossTargets, summedNll } from './loss';
import type { AdamW } from './optimizer';
import { clipGradNorm } from './optimizer';

export interface StepResult {
  /** Mean loss per target token over the whole update. */
  loss: number;
  gradNorm: number;
  targetTokens: number;
  /** Non-padding tokens processed. */
  tokens: number;
}

export interface StepOptions {
  step: number;
  lr: number;
  seed: number;
  maxGradNorm: number;
  /** Recompute each decoder layer during backprop instead of keeping its activations (same gradients, less memory). */
  gradientCheckpointing?: boolean;
}

/** Unique trainable variables by key (MoRA saves one tensor under two keys; it is one parameter). */
export function uniqueParams(trainables: Map<string, tf.Variable>): Map<string, tf.Variable> {
  const seen = new Set<tf.Variable>();
  const out = new Map<string, tf.Variable>();
  for (const [k, v] of trainables) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.set(k, v);
  }
  return out;
}

export async function trainStep(model: CausalLM, params: Map<string, tf.Variable>, optimizer: AdamW, batches: Batch[], o: StepOptions): Promise<StepResult> {
  const vars = [...params.values()];
  const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
  const acc = new Map<string, tf.Tensor>();
  let lossSum = 0;
  let targetTokens = 0;
  let tokens = 0;
  try {
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i];
      for (const s of batch.segmentIds) if (s !== 0) tokens++;
      const targets = lossTargets(batch);
      if (targets.positions.length === 0) continue;
      const ctx = { training: true, seed: mixSeed(o.seed, o.step, i), gradientCheckpointing: o.gradientCheckpointing };
      const { value, grads } = tf.variableGrads(() => summedNll(model, batch, targets, ctx), vars);
      lossSum += (await value.data())[0];
      value.dispose();
      targetTokens += targets.positions.length;
      for (const [name, g] of Object.entries(grads)) {
        const key = keyOf.get(name)!;
        const prev = acc.get(key);
        acc.set(key, prev ? tf.add(prev, g) : g);
        if (prev) {
          prev.dispose();
          g.dispose();
        }
      }
    }
    if (targetTokens === 0) throw new PeftLabError('DATASET_INVALID', `update ${o.step + 1}: its batches hold no target token`);
    const loss = lossSum / targetTokens;
    if (!Number.isFinite(loss)) throw await nonFinite(`the training loss became ${loss}`, o, params);
    for (const [k, g] of acc) {
      acc.set(k, tf.div(g, targetTokens));
      g.dispose();
    }
    const gradNorm = await clipGradNorm(acc, o.maxGradNorm);
    if (!Number.isFinite(gradNorm)) throw await nonFinite(`the gradient norm became ${gradNorm} (loss ${loss.toFixed(4)})`, o, params);
    optimizer.step(acc, o.lr);
    return { loss, gradNorm, targetTokens, tokens };
  } finally {
    for (const g of acc.values()) g.dispose();
  }
}

async function nonFinite(what: string, o: StepOptions, params: Map<string, tf.Variable>): Promise<PeftLabError> {
  let bad: string | null = null;
  for (const [k, v] of params) {
    const d = await v.data();
    if (d.some((x) => !Number.isFinite(x))) {
      bad = k;
      break;
    }
  }
  const where = bad ? `; adapter tensor ${bad} already holds non-finite values` : '; every adapter tensor was still finite before this update';
  return new PeftLabError('NAN_LOSS',
    `training stopped at update ${o.step + 1} (learning rate ${o.lr.toExponential(3)}): ${what}${where}. ` +
    'Lower training.learningRate, keep training.maxGradNorm on, or check the data; the last checkpoint is kept.',
    { step: o.step + 1, tensor: bad });
}
