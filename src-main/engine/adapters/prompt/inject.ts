// Prompt tuning (PEFT PROMPT_TUNING; peft-spec §5.1): T virtual token embeddings [T, H] prepended to every
// input; trainable T·H. Init: N(0, 1) (RANDOM), the embeddings of a text's tokens repeated or truncated to T
// (TEXT, tokenized with the tokenizer's default special tokens), or rows of random vocabulary tokens (SAMPLE_VOCAB).
import * as tf from '@tensorflow/tfjs';
import type { PromptTuningConfig } from '../../../../src-shared/domain/methods-prompt';
import { PromptTuningConfigSchema } from '../../../../src-shared/domain/methods-prompt';
import { parseWith } from '../../../../src-shared/domain/validate';
import { PeftLabError } from '../../../../src-shared/errors';
import type { CausalLM } from '../../model/causal-lm';
import { Rng } from '../../rng';
import { PromptAdapter, promptDims } from '../prompt-adapter';
import type { AdapterMethod, InjectTokenizer } from '../types';
import { uniqueVariableName } from '../variables';

const KEY = 'prompt_embeddings';
const INIT_NAMES = { random: 'RANDOM', text: 'TEXT', 'sample-vocab': 'SAMPLE_VOCAB' } as const;

/** The initial [T, H] table: N(0, 1), or embedding rows of the init text's tokens / of random tokens. */
function initialTable(model: CausalLM, cfg: PromptTuningConfig, seed: number, tok?: InjectTokenizer): tf.Tensor2D {
  const T = cfg.numVirtualTokens;
  const H = model.config.hiddenSize;
  const rng = new Rng(seed);
  if (cfg.init === 'random') return tf.tensor2d(rng.normalArray(T * H, 1), [T, H]);
  let ids: number[];
  if (cfg.init === 'text') {
    if (!tok) throw new PeftLabError('TOKENIZER_INVALID', 'prompt tuning with init "text" needs the model\'s tokenizer');
    const textIds = tok.encode(cfg.initText!, { addSpecialTokens: true });
    if (textIds.length === 0) throw new PeftLabError('BAD_ARGUMENT', 'method.initText encodes to no tokens');
    ids = Array.from({ length: T }, (_, i) => textIds[i % textIds.length]);
  } else {
    ids = Array.from({ length: T }, () => Math.floor(rng.uniform() * model.config.vocabSize));
  }
  return tf.tidy(() => tf.gather(model.embedTokens, tf.tensor1d(ids, 'int32')) as tf.Tensor2D);
}

export const promptTuning: AdapterMethod<PromptTuningConfig> = {
  name: 'prompt',
  peftType: 'PROMPT_TUNING',
  mergeable: false,
  oneExamplePerRow: true,
  parseConfig: (raw, where) => parseWith(PromptTuningConfigSchema, raw && typeof raw === 'object' ? { method: 'prompt', ...(raw as object) } : raw, where),
  plan: (model, cfg) => [{ key: KEY, shape: [cfg.numVirtualTokens, model.config.hiddenSize] }],
  activations: (_model, cfg) => ({ perTokenPerLayer: 0, virtualTokens: cfg.numVirtualTokens }),

  inject(model, cfg, { seed, tokenizer }) {
    const init = initialTable(model, cfg, seed, tokenizer);
    const table = tf.variable(init, true, uniqueVariableName(KEY));
    init.dispose();
    return new PromptAdapter(promptTuning, cfg, model, new Map([[KEY, table]]), {
      virtualTokenCount: cfg.numVirtualTokens, prefixLength: 0, virtualTokens: () => table, prefix: () => null,
    });
  },

  peftConfig: (model, cfg, base) => {
    const d = promptDims(model);
    return {
      auto_mapping: null, base_model_name_or_path: base, inference_mode: true, num_attention_heads: d.numAttentionHeads,
      num_layers: d.numLayers, num_transformer_submodules: 1, num_virtual_tokens: cfg.numVirtualTokens, peft_type: 'PROMPT_TUNING',
      prompt_tuning_init: INIT_NAMES[cfg.init], prompt_tuning_init_text: cfg.initText ?? null, revision: null, task_type: 'CAUSAL_LM',
      token_dim: d.tokenDim, tokenizer_kwargs: null, tokenizer_name_or_path: cfg.init === 'text' ? base : null,
    };
  },
  matchesPeftConfig: (json) => json.peft_type === 'PROMPT_TUNING',
  fromPeftConfig: (json, where) => {
    const init = Object.entries(INIT_NAMES).find(([, v]) => v === json.prompt_tuning_init)?.[0] ?? 'random';
    // A loaded table replaces whatever the init would have drawn; load it as random-initialised.
    return promptTuning.parseConfig({ numVirtualTokens: json.num_virtual_tokens, init: init === 'text' ? 'random' : init }, where);
  },
};
