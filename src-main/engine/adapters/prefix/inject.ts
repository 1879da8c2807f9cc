// Prefix tuning (PEFT PREFIX_TUNING; peft-spec §5.2): per-layer key/value prefixes of T virtual tokens in front of
// every attention, through the KV path (an initial cache). Saved as `prompt_embeddings` = the encoder's output
// [T, 2·L·d] for both variants (the MLP is not saved; a loaded adapter uses the table directly).
import * as tf from '@tensorflow/tfjs';
import type { PrefixTuningConfig } from '../../../../src-shared/domain/methods-prompt';
import { PrefixTuningConfigSchema } from '../../../../src-shared/domain/methods-prompt';
import { parseWith } from '../../../../src-shared/domain/validate';
import { PromptAdapter, promptDims } from '../prompt-adapter';
import type { AdapterMethod } from '../types';
import { TABLE_KEY, initialPrefixVariables, prefixShape, prefixTable, prefixTensorShapes, splitPrefix } from './encoder';

export const prefixTuning: AdapterMethod<PrefixTuningConfig> = {
  name: 'prefix',
  peftType: 'PREFIX_TUNING',
  mergeable: false,
  oneExamplePerRow: true,
  parseConfig: (raw, where) => parseWith(PrefixTuningConfigSchema, raw && typeof raw === 'object' ? { method: 'prefix', ...(raw as object) } : raw, where),
  plan: (model, cfg) => prefixTensorShapes(cfg, prefixShape(cfg, model.config)),
  activations: (_model, cfg) => ({ perTokenPerLayer: 0, prefixTokens: cfg.numVirtualTokens }),

  inject(model, cfg, { seed }) {
    const s = prefixShape(cfg, model.config);
    const vars = initialPrefixVariables(cfg, s, seed);
    return new PromptAdapter(prefixTuning, cfg, model, vars, {
      virtualTokenCount: 0,
      prefixLength: s.T,
      virtualTokens: () => null,
      prefix: () => splitPrefix(prefixTable(cfg, vars), s),
      peftTensors: cfg.prefixProjection
        ? async () => {
          const t = tf.tidy(() => prefixTable(cfg, vars));
          const data = (await t.data()) as Float32Array;
          const shape = t.shape;
          t.dispose();
          return new Map([[TABLE_KEY, { shape, data }]]);
        }
        : undefined,
    });
  },

  peftConfig: (model, cfg, base) => {
    const d = promptDims(model);
    return {
      auto_mapping: null, base_model_name_or_path: base, encoder_hidden_size: cfg.encoderHiddenSize ?? d.kvDim, inference_mode: true,
      num_attention_heads: d.numKeyValueHeads, num_layers: d.numLayers, num_transformer_submodules: 1,
      num_virtual_tokens: cfg.numVirtualTokens, peft_type: 'PREFIX_TUNING', prefix_projection: cfg.prefixProjection,
      revision: null, task_type: 'CAUSAL_LM', token_dim: d.kvDim,
    };
  },
  matchesPeftConfig: (json) => json.peft_type === 'PREFIX_TUNING',
  // The file holds the encoder's output table, so a loaded prefix is the table itself (no projection).
  fromPeftConfig: (json, where) => prefixTuning.parseConfig({ numVirtualTokens: json.num_virtual_tokens, prefixProjection: false }, where),
};
