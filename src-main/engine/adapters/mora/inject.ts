// MoRA as a registered method (MoRA fork of PEFT; peft-spec §3): plan (r̂ per module, no weights) and inject
// (wrap the modules of a loaded model). M starts at zero, so the adapter is an exact no-op at step 0. The one
// matrix is saved under lora_A.weight and again under lora_B.weight (an alias, counted once).
import * as tf from '@tensorflow/tfjs';
import type { MoraConfig } from '../../../../src-shared/domain/methods';
import type { CausalLM } from '../../model/causal-lm';
import { FrozenLinear } from '../../model/linear';
import { mixSeed } from '../../rng';
import { wrappedModuleElements } from '../../plan/activations';
import type { AdapterMethod, PlannedTensor } from '../types';
import { variableFrom } from '../variables';
import { MoraAdapter } from './adapter';
import { parseMoraConfig, planMoraModules } from './config';
import { isMoraPeftConfig, moraFromPeftConfig, moraPeftConfig } from './io';
import { MoraLinear } from './layer';
import { moraVariant } from './variants';

export const mora: AdapterMethod<MoraConfig> = {
  name: 'mora',
  peftType: 'LORA',
  parseConfig: parseMoraConfig,

  plan(model, cfg): PlannedTensor[] {
    return planMoraModules(model, cfg).flatMap((p) => [
      { key: p.keyA, shape: [p.rHat, p.rHat], module: p.module.name },
      { key: p.keyB, shape: [p.rHat, p.rHat], module: p.module.name, aliasOf: p.keyA },
    ]);
  },

  // Counted as LoRA's ops with r̂ for r (compress, M, decompress differ by type in reshapes and sums of r̂ columns).
  activations(model, cfg) {
    const elements = planMoraModules(model, cfg).reduce((sum, p) =>
      sum + wrappedModuleElements(p.module.inFeatures, p.module.outFeatures, p.rHat, { dropout: cfg.loraDropout > 0, scaled: true }), 0);
    return { perTokenPerLayer: elements / model.config.numHiddenLayers };
  },

  inject(model: CausalLM, cfg) { // M starts at zero: no random draws, the seed is not needed
    const variant = moraVariant(cfg.moraType);
    const layers = new Map<string, MoraLinear>();
    const variables = new Map<string, tf.Variable>();
    planMoraModules(model, cfg).forEach((p, idx) => {
      const base = model.getLinear(p.module.name);
      if (!(base instanceof FrozenLinear)) throw new Error(`${p.module.name} already carries an adapter`);
      const M = variableFrom(tf.zeros([p.rHat, p.rHat]), p.keyA); // (R, R)
      const layer = new MoraLinear(base, M, variant, cfg.loraDropout, mixSeed(idx, 0x304a));
      model.setLinear(p.module.name, layer);
      layers.set(p.module.name, layer);
      variables.set(p.keyA, M);
      variables.set(p.keyB, M);
    });
    return new MoraAdapter(mora, cfg, model, layers, variables);
  },

  peftConfig: moraPeftConfig,
  matchesPeftConfig: isMoraPeftConfig,
  fromPeftConfig: moraFromPeftConfig,
};
