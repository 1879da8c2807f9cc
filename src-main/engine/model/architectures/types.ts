// What the engine needs to know about one LLaMA-family architecture: which modules exist, their shapes, which
// weights a checkpoint must hold, and the PEFT defaults that refer to its module names. The forward pass itself is
// shared (../llama.ts); an architecture only differs in names, biases and defaults.
import type { ModelConfig } from '../config';

/** One linear (nn.Linear-like) module, named as in Hugging Face's `named_modules()`. */
export interface LinearModuleInfo {
  /** Full module path, e.g. `model.layers.3.self_attn.q_proj` or `lm_head`. */
  name: string;
  /** Last path component, e.g. `q_proj`. */
  shortName: string;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  /** Decoder layer index, or null for modules outside the layers (lm_head). */
  layer: number | null;
}

export interface Architecture {
  modelType: string;
  /** HF class names this descriptor serves, e.g. `LlamaForCausalLM`. */
  classNames: string[];
  /** Every linear module of the model, in `named_modules()` order, including lm_head. */
  linearModules(cfg: ModelConfig): LinearModuleInfo[];
  /** Every tensor a checkpoint must hold: name → shape (PyTorch layout). */
  expectedWeights(cfg: ModelConfig): Map<string, number[]>;
  /** PEFT's default LoRA targets for this model type (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING). */
  defaultLoraTargets: string[];
  /** PEFT's IA3 defaults (target modules, feed-forward modules). */
  defaultIa3Targets: { targets: string[]; feedforward: string[] };
  /** Whether a given projection carries a bias under this config. */
  hasBias(cfg: ModelConfig, shortName: string): boolean;
}
