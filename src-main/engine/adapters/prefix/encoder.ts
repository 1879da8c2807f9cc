// Prefix tuning's encoder (PEFT PrefixEncoder; peft-spec §5.2): a table E [T, 2·L·d] trained directly, or with
// prefix_projection a table [T, d] through Linear(d, h) → tanh → Linear(h, 2·L·d). Its output row for virtual
// token t, viewed as [2L, nkv, head_dim], holds layer l's key at index 2l and its value at 2l+1.
// Legend: T virtual tokens, L layers, d = nkv·head_dim (GQA-adjusted token dim), h encoder hidden size.
import * as tf from '@tensorflow/tfjs';
import type { PrefixTuningConfig } from '../../../../src-shared/domain/methods-prompt';
import { Rng, mixSeed } from '../../rng';
import { uniqueVariableName } from '../variables';

export const TABLE_KEY = 'prompt_embeddings';

export interface PrefixShape {
  T: number;
  L: number;
  nkv: number;
  headDim: number;
  /** d = nkv · head_dim */
  d: number;
  /** h (projection only) */
  h: number;
}

export function prefixShape(cfg: PrefixTuningConfig, c: { numHiddenLayers: number; numKeyValueHeads: number; headDim: number }): PrefixShape {
  const d = c.numKeyValueHeads * c.headDim;
  return { T: cfg.numVirtualTokens, L: c.numHiddenLayers, nkv: c.numKeyValueHeads, headDim: c.headDim, d, h: cfg.encoderHiddenSize ?? d };
}

/** Trainable tensors by key (the projection's names follow PEFT's module names inside prompt_encoder). */
export function prefixTensorShapes(cfg: PrefixTuningConfig, s: PrefixShape): { key: string; shape: number[] }[] {
  if (!cfg.prefixProjection) return [{ key: TABLE_KEY, shape: [s.T, 2 * s.L * s.d] }];
  return [
    { key: 'prompt_encoder.embedding.weight', shape: [s.T, s.d] },
    { key: 'prompt_encoder.transform.0.weight', shape: [s.h, s.d] },
    { key: 'prompt_encoder.transform.0.bias', shape: [s.h] },
    { key: 'prompt_encoder.transform.2.weight', shape: [2 * s.L * s.d, s.h] },
    { key: 'prompt_encoder.transform.2.bias', shape: [2 * s.L * s.d] },
  ];
}

/** Initial values as PyTorch would draw them: tables N(0, 1); Linear weights and biases U(±1/√fan_in). */
export function initialPrefixVariables(cfg: PrefixTuningConfig, s: PrefixShape, seed: number): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  prefixTensorShapes(cfg, s).forEach(({ key, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(mixSeed(seed, i));
    const fanIn = key.includes('transform.0') ? s.d : s.h;
    const data = key.includes('transform') ? rng.uniformArray(n, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)) : rng.normalArray(n, 1);
    const init = tf.tensor(data, shape);
    out.set(key, tf.variable(init, true, uniqueVariableName(key)));
    init.dispose();
  });
  return out;
}

/** The encoder output [T, 2·L·d] (inside the caller's tidy). */
export function prefixTable(cfg: PrefixTuningConfig, vars: Map<string, tf.Variable>): tf.Tensor2D {
  if (!cfg.prefixProjection) return vars.get(TABLE_KEY) as unknown as tf.Tensor2D;
  const e = vars.get('prompt_encoder.embedding.weight')!; // (T, d)
  const h = tf.tanh(tf.add(tf.matMul(e, vars.get('prompt_encoder.transform.0.weight')!, false, true), vars.get('prompt_encoder.transform.0.bias')!)); // (T, h)
  return tf.add(tf.matMul(h, vars.get('prompt_encoder.transform.2.weight')!, false, true), vars.get('prompt_encoder.transform.2.bias')!) as tf.Tensor2D; // (T, 2Ld)
}

/** Splits the table into per-layer keys and values, each (nkv, T, head_dim). */
export function splitPrefix(table: tf.Tensor2D, s: PrefixShape): { keys: tf.Tensor3D[]; values: tf.Tensor3D[] } {
  const kv = table.reshape([s.T, 2 * s.L, s.nkv, s.headDim]).transpose([1, 2, 0, 3]); // (2L, nkv, T, hd)
  const parts = tf.unstack(kv, 0) as tf.Tensor3D[];
  return { keys: parts.filter((_, i) => i % 2 === 0), values: parts.filter((_, i) => i % 2 === 1) };
}
