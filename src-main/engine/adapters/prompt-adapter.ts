// The InjectedAdapter of prompt-learning methods: it installs itself as the model's PromptHook (virtual token
// embeddings and/or per-layer key/value prefixes) instead of wrapping linear layers. Nothing can be merged into
// the weights; switching it off restores the base model exactly.
import type * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import type { CausalLM } from '../model/causal-lm';
import type { ForwardContext } from '../model/linear';
import type { PromptHook } from '../model/prompt-hook';
import type { AdapterMethod, InjectedAdapter } from './types';

export interface PromptParts {
  virtualTokenCount: number;
  prefixLength: number;
  virtualTokens(ctx: ForwardContext): tf.Tensor2D | null;
  prefix(ctx: ForwardContext): { keys: tf.Tensor3D[]; values: tf.Tensor3D[] } | null;
  peftTensors?(): Promise<Map<string, { shape: number[]; data: Float32Array }>>;
}

export class PromptAdapter<C> implements InjectedAdapter<C>, PromptHook {
  enabled = true;
  readonly virtualTokenCount: number;
  readonly prefixLength: number;

  constructor(
    readonly method: AdapterMethod<C>,
    readonly config: C,
    private readonly model: CausalLM,
    private readonly variables: Map<string, tf.Variable>,
    private readonly parts: PromptParts,
  ) {
    if (model.promptHook) throw new PeftLabError('BAD_ARGUMENT', 'the model already carries a prompt-learning adapter; remove it first');
    this.virtualTokenCount = parts.virtualTokenCount;
    this.prefixLength = parts.prefixLength;
    model.promptHook = this;
    if (parts.peftTensors) this.peftTensors = parts.peftTensors;
  }

  peftTensors?: () => Promise<Map<string, { shape: number[]; data: Float32Array }>>;

  virtualTokens(ctx: ForwardContext): tf.Tensor2D | null {
    return this.parts.virtualTokens(ctx);
  }

  prefix(ctx: ForwardContext): { keys: tf.Tensor3D[]; values: tf.Tensor3D[] } | null {
    return this.parts.prefix(ctx);
  }

  trainables(): Map<string, tf.Variable> {
    return this.variables;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  merge(): void {
    throw new PeftLabError('BAD_ARGUMENT', `${this.method.name} tuning has nothing to merge into the weights: deploy the base model with the adapter`);
  }

  unmerge(): void {
    /* never merged */
  }

  remove(): void {
    if (this.model.promptHook === this) this.model.promptHook = null;
    for (const v of new Set(this.variables.values())) v.dispose();
    this.variables.clear();
  }
}

/** The model dimensions PEFT fills into a prompt-learning config (`_prepare_prompt_learning_config`). */
export function promptDims(model: { config: { hiddenSize: number; numHiddenLayers: number; numAttentionHeads: number; numKeyValueHeads: number; headDim: number } }) {
  const c = model.config;
  return {
    tokenDim: c.hiddenSize,
    numLayers: c.numHiddenLayers,
    numAttentionHeads: c.numAttentionHeads,
    // Prefix tuning on grouped-query models: PEFT rewrites token_dim to head_dim · num_key_value_heads (§5.2).
    kvDim: c.headDim * c.numKeyValueHeads,
    numKeyValueHeads: c.numKeyValueHeads,
  };
}
