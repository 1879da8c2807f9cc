// (IA)³ as a registered method (PEFT `IA3Model`; peft-spec §4): plan (one vector per target, no weights) and
// inject (wrap the modules of a loaded model). The vectors start at ones, so the adapter is an exact no-op at
// step 0; with initIa3Weights false they are N(0, 1) draws, as PEFT leaves them (debugging only).
import * as tf from '@tensorflow/tfjs';
import type { Ia3Config } from '../../../../src-shared/domain/methods';
import type { CausalLM } from '../../model/causal-lm';
import { FrozenLinear } from '../../model/linear';
import { Rng, mixSeed } from '../../rng';
import type { AdapterMethod, PlannedTensor } from '../types';
import { variableFrom } from '../variables';
import type { AdapterLinear } from '../wrapped';
import { WrappedModulesAdapter } from '../wrapped';
import { parseIa3Config, planIa3Modules } from './config';
import { ia3FromPeftConfig, ia3PeftConfig, isIa3PeftConfig } from './io';
import { Ia3Linear } from './layer';

export const ia3: AdapterMethod<Ia3Config> = {
  name: 'ia3',
  peftType: 'IA3',
  parseConfig: parseIa3Config,

  plan(model, cfg): PlannedTensor[] {
    return planIa3Modules(model, cfg).map((p) => ({ key: p.key, shape: p.shape, module: p.module.name }));
  },

  // y ⊙ l saves y and gives its gradient (2·out per token); a feed-forward x ⊙ l does so for x (2·in).
  activations(model, cfg) {
    const elements = planIa3Modules(model, cfg).reduce((sum, p) => sum + 2 * (p.feedforward ? p.module.inFeatures : p.module.outFeatures), 0);
    return { perTokenPerLayer: elements / model.config.numHiddenLayers };
  },

  inject(model: CausalLM, cfg, { seed }) {
    const layers = new Map<string, AdapterLinear>();
    const variables = new Map<string, tf.Variable>();
    planIa3Modules(model, cfg).forEach((p, idx) => {
      const base = model.getLinear(p.module.name);
      if (!(base instanceof FrozenLinear)) throw new Error(`${p.module.name} already carries an adapter`);
      const size = p.shape[0] * p.shape[1];
      const init = cfg.initIa3Weights ? new Float32Array(size).fill(1) : new Rng(mixSeed(seed, idx)).normalArray(size, 1);
      const l = variableFrom(tf.tensor2d(init, p.shape), p.key);
      const layer = new Ia3Linear(base, l, p.feedforward);
      model.setLinear(p.module.name, layer);
      layers.set(p.module.name, layer);
      variables.set(p.key, l);
    });
    return new WrappedModulesAdapter(ia3, cfg, model, layers, variables);
  },

  peftConfig: ia3PeftConfig,
  matchesPeftConfig: isIa3PeftConfig,
  fromPeftConfig: ia3FromPeftConfig,
};
