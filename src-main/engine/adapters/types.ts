// The contract every fine-tuning method implements (PEFT's `register_peft_method` idea): a method is an object
// with a fixed set of functions, registered by name. Planning (`plan`) and building (`inject`) share one
// description of the trainable tensors, so parameter counts equal what training creates by construction.
import type * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../model/architectures/types';
import type { CausalLM } from '../model/causal-lm';
import type { ModelConfig } from '../model/config';

export interface ModelShape {
  config: ModelConfig;
  arch: Architecture;
}

/** One trainable tensor, named by its key in PEFT's adapter_model.safetensors. */
export interface PlannedTensor {
  key: string;
  shape: number[];
  /** Module it belongs to (HF path), when it belongs to one. */
  module?: string;
  /** Keys that are the same tensor saved twice (MoRA writes lora_A and lora_B); counted once. */
  aliasOf?: string;
}

/** What a method's own ops add to a training step, for the memory estimate (plan/activations.ts). */
export interface MethodActivations {
  /** Float32 elements per token and decoder layer (mean over layers) its ops save for backprop plus their gradients. */
  perTokenPerLayer: number;
  /** Positions added in front of every row as queries and keys (prompt tuning's virtual tokens). */
  virtualTokens?: number;
  /** Keys and values added in front of every attention (prefix tuning). */
  prefixTokens?: number;
}

export interface InjectedAdapter<C = unknown> {
  readonly method: AdapterMethod<C>;
  readonly config: C;
  /** Trainable variables by PEFT key (aliases map to the same variable). */
  trainables(): Map<string, tf.Variable>;
  /** Turns the adapter off (outputs equal the base model) or on again. */
  setEnabled(enabled: boolean): void;
  /** Folds the adapter into the base weights (forward unchanged) / takes it out again. */
  merge(): void;
  unmerge(): void;
  /** Restores the base modules and frees the adapter's tensors. A merged adapter stays merged (merge_and_unload). */
  remove(): void;
  /** The tensors PEFT's adapter_model.safetensors holds, when they are not simply the trainables (prefix tuning
   *  with a reparametrisation MLP saves the MLP's output table). */
  peftTensors?(): Promise<Map<string, { shape: number[]; data: Float32Array }>>;
  /**
   * Called by the trainer right after every optimizer update (`step` = updates done so far), for methods that
   * change themselves during training (ReMoRA's periodic merge and restart). The result says what the trainer
   * must do about it.
   */
  onStepEnd?(step: number): StepEndEffects | undefined;
}

export interface StepEndEffects {
  /** Clear the optimizer's state (moments and step count): a fresh AdamW, as after a ReMoRA restart. */
  resetOptimizer?: boolean;
}

/** What a method may need of the tokenizer at injection (prompt tuning's text initialisation). */
export interface InjectTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
}

export interface AdapterMethod<C = any> {
  /** Name in run specs and on the CLI, e.g. "lora". */
  readonly name: string;
  /** PEFT's peft_type, e.g. "LORA". */
  readonly peftType: string;
  /** Validates a config from a run spec / CLI and fills PEFT's defaults. `where` prefixes error messages. */
  parseConfig(raw: unknown, where: string): C;
  /** Trainable tensors this config creates on a model of this shape (no weights needed). */
  plan(model: ModelShape, cfg: C): PlannedTensor[];
  /** What the method's ops keep during a training step (absent: nothing beyond the base model's). */
  activations?(model: ModelShape, cfg: C): MethodActivations;
  /** Wraps the modules of a loaded model; initial values drawn from `seed`. */
  inject(model: CausalLM, cfg: C, opts: { seed: number; tokenizer?: InjectTokenizer }): InjectedAdapter<C>;
  /** false: nothing to fold into the weights (prompt and prefix tuning); merging is refused. Default true. */
  readonly mergeable?: boolean;
  /** true: training needs one example per row (virtual tokens sit in front of each row), so no packing. */
  readonly oneExamplePerRow?: boolean;
  /** true: the result is a whole model (full fine-tuning), saved as a Hugging Face folder, not an adapter. */
  readonly savesFullModel?: boolean;
  /** adapter_config.json content (values typed for the Python-style writer, see peft-json.ts). */
  peftConfig(model: ModelShape, cfg: C, baseModelName: string): Record<string, unknown>;
  /** Whether an adapter_config.json was written for this method. */
  matchesPeftConfig(json: Record<string, unknown>): boolean;
  /** Reads an adapter_config.json back into a config. */
  fromPeftConfig(json: Record<string, unknown>, where: string): C;
}

/** Trainable parameters of a plan, aliases counted once. */
export function countPlanned(tensors: PlannedTensor[]): number {
  let n = 0;
  for (const t of tensors) if (!t.aliasOf) n += t.shape.reduce((a, b) => a * b, 1);
  return n;
}
