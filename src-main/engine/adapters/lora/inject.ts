// LoRA as a registered method: plan (shapes, no weights) and inject (wrap the modules of a loaded model).
// Initialisation as PEFT/loralib: A ~ U(−1/√n, 1/√n) (Kaiming-uniform with a = √5), B = 0, so the adapter is
// an exact no-op at step 0; "gaussian": A ~ N(0, 1/r); false: A and B both Kaiming-uniform (not a no-op).
import * as tf from '@tensorflow/tfjs';
import type { LoraConfig } from '../../../../src-shared/domain/methods';
import type { CausalLM } from '../../model/causal-lm';
import { FrozenLinear } from '../../model/linear';
import { Rng, mixSeed } from '../../rng';
import { variableFrom } from '../variables';
import type { AdapterLinear } from '../wrapped';
import { WrappedModulesAdapter } from '../wrapped';
import { wrappedModuleElements } from '../../plan/activations';
import type { AdapterMethod, PlannedTensor } from '../types';
import { parseLoraConfig, planLoraModules } from './config';
import { isLoraPeftConfig, loraFromPeftConfig, loraPeftConfig } from './io';
import { LoraLinear } from './layer';

function initValues(cfg: LoraConfig, r: number, n: number, m: number, rng: Rng): { a: Float32Array; b: Float32Array } {
  if (cfg.initLoraWeights === 'gaussian') return { a: rng.normalArray(r * n, 1 / r), b: new Float32Array(m * r) };
  const boundA = 1 / Math.sqrt(n);
  const a = rng.uniformArray(r * n, -boundA, boundA);
  if (cfg.initLoraWeights === false) {
    const boundB = 1 / Math.sqrt(r);
    return { a, b: rng.uniformArray(m * r, -boundB, boundB) };
  }
  return { a, b: new Float32Array(m * r) };
}

export const lora: AdapterMethod<LoraConfig> = {
  name: 'lora',
  peftType: 'LORA',
  parseConfig: parseLoraConfig,

  plan(model, cfg): PlannedTensor[] {
    return planLoraModules(model, cfg).flatMap((p) => [
      { key: p.keyA, shape: [p.r, p.module.inFeatures], module: p.module.name },
      { key: p.keyB, shape: [p.module.outFeatures, p.r], module: p.module.name },
    ]);
  },

  activations(model, cfg) {
    const elements = planLoraModules(model, cfg).reduce((sum, p) =>
      sum + wrappedModuleElements(p.module.inFeatures, p.module.outFeatures, p.r, { dropout: cfg.loraDropout > 0, scaled: p.scaling !== 1 }), 0);
    return { perTokenPerLayer: elements / model.config.numHiddenLayers };
  },

  inject(model: CausalLM, cfg, { seed }) {
    const plans = planLoraModules(model, cfg);
    const layers = new Map<string, AdapterLinear>();
    const variables = new Map<string, tf.Variable>();
    plans.forEach((p, idx) => {
      const base = model.getLinear(p.module.name);
      if (!(base instanceof FrozenLinear)) throw new Error(`${p.module.name} already carries an adapter`);
      const { inFeatures: n, outFeatures: m } = p.module;
      const { a, b } = initValues(cfg, p.r, n, m, new Rng(mixSeed(seed, idx)));
      const A = variableFrom(tf.tensor2d(a, [p.r, n]), p.keyA);
      const B = variableFrom(tf.tensor2d(b, [m, p.r]), p.keyB);
      const layer = new LoraLinear(base, A, B, p.scaling, cfg.loraDropout, mixSeed(idx, 0x10a));
      model.setLinear(p.module.name, layer);
      layers.set(p.module.name, layer);
      variables.set(p.keyA, A);
      variables.set(p.keyB, B);
    });
    return new WrappedModulesAdapter(lora, cfg, model, layers, variables);
  },

  peftConfig: loraPeftConfig,
  matchesPeftConfig: isLoraPeftConfig,
  fromPeftConfig: loraFromPeftConfig,
};
