// Full fine-tuning: every parameter of the model trains (the reference row every PEFT study compares against;
// float32 base only). Each linear layer's weight and bias, the embeddings and the norms become variables; a tied
// lm_head keeps sharing the embedding variable. The result is a whole model, saved as a Hugging Face folder.
import * as tf from '@tensorflow/tfjs';
import { FullFineTuneConfigSchema } from '../../../../src-shared/domain/methods-prompt';
import type { FullFineTuneConfig } from '../../../../src-shared/domain/methods-prompt';
import { parseWith } from '../../../../src-shared/domain/validate';
import { PeftLabError } from '../../../../src-shared/errors';
import type { CausalLM } from '../../model/causal-lm';
import { DenseWeight, FrozenLinear } from '../../model/linear';
import type { AdapterMethod, InjectedAdapter } from '../types';
import { uniqueVariableName } from '../variables';

function variableOf(t: tf.Tensor, key: string): tf.Variable {
  return tf.variable(t, true, uniqueVariableName(key));
}

class FullAdapter implements InjectedAdapter<FullFineTuneConfig> {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly restore: (() => void)[] = [];
  readonly method = fullFineTune;

  constructor(private readonly model: CausalLM, readonly config: FullFineTuneConfig) {
    const m = model;
    const embed = variableOf(m.embedTokens, 'model.embed_tokens.weight');
    this.swap(() => m.embedTokens, (t) => (m.embedTokens = t as tf.Tensor2D), embed, 'model.embed_tokens.weight');
    const norm = variableOf(m.finalNorm, 'model.norm.weight');
    this.swap(() => m.finalNorm, (t) => (m.finalNorm = t as tf.Tensor1D), norm, 'model.norm.weight');
    m.layers.forEach((layer, i) => {
      for (const which of ['inputNorm', 'postNorm'] as const) {
        const key = `model.layers.${i}.${which === 'inputNorm' ? 'input_layernorm' : 'post_attention_layernorm'}.weight`;
        this.swap(() => layer[which], (t) => (layer[which] = t as tf.Tensor1D), variableOf(layer[which], key), key);
      }
    });
    for (const info of m.linearModules()) {
      const base = m.getLinear(info.name);
      if (!(base instanceof FrozenLinear) || !(base.weight instanceof DenseWeight)) {
        throw new PeftLabError('BAD_ARGUMENT', `full fine-tuning needs a float32 base without other adapters (${info.name} is not one)`);
      }
      const key = `${info.name}.weight`;
      const shared = info.name === 'lm_head' && !this.hasOwnHead(base);
      const w = shared ? embed : variableOf(base.weight.tensor, key);
      const b = base.bias ? variableOf(base.bias, `${info.name}.bias`) : null;
      if (!shared) this.vars.set(key, w);
      if (b) this.vars.set(`${info.name}.bias`, b);
      m.setLinear(info.name, new FrozenLinear(info, new DenseWeight(w as unknown as tf.Tensor2D, true), b as unknown as tf.Tensor1D | null));
      this.restore.push(() => m.setLinear(info.name, base));
    }
  }

  private ownHead: boolean | null = null;
  private hasOwnHead(base: FrozenLinear): boolean {
    // A tied head's DenseWeight is marked shared (it holds the embedding tensor); an untied one owns its tensor.
    this.ownHead ??= base.weight.byteSize() > 0;
    return this.ownHead;
  }

  private swap(get: () => tf.Tensor, set: (t: tf.Tensor) => void, v: tf.Variable, key: string): void {
    const original = get();
    set(v);
    this.vars.set(key, v);
    this.restore.push(() => set(original));
  }

  trainables(): Map<string, tf.Variable> {
    return this.vars;
  }
  setEnabled(): void {
    throw new PeftLabError('BAD_ARGUMENT', 'a fully fine-tuned model has no adapter to switch off');
  }
  merge(): void {
    /* the weights are the model */
  }
  unmerge(): void {
    /* nothing to take out */
  }
  remove(): void {
    for (const r of this.restore.reverse()) r();
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

export const fullFineTune: AdapterMethod<FullFineTuneConfig> = {
  name: 'full',
  peftType: 'FULL',
  savesFullModel: true,
  parseConfig: (raw, where) => parseWith(FullFineTuneConfigSchema, raw && typeof raw === 'object' ? { method: 'full', ...(raw as object) } : raw, where),
  plan: (model) => [...model.arch.expectedWeights(model.config)].map(([key, shape]) => ({ key, shape })),
  inject: (model, cfg) => new FullAdapter(model, cfg),
  peftConfig: () => {
    throw new PeftLabError('BAD_ARGUMENT', 'full fine-tuning writes a whole model folder, not a PEFT adapter');
  },
  matchesPeftConfig: () => false,
  fromPeftConfig: () => {
    throw new PeftLabError('ADAPTER_INVALID', 'full fine-tuning has no adapter file');
  },
};
