// MistralForCausalLM: LLaMA layout without biases (transformers `models/mistral`); sliding_window only limits
// attention span beyond the window, which the shared forward pass applies when set.
import { llamaFamilyExpectedWeights, llamaFamilyLinearModules } from './llama-family';
import type { Architecture } from './types';

export const mistral: Architecture = {
  modelType: 'mistral',
  classNames: ['MistralForCausalLM'],
  linearModules: (cfg) => llamaFamilyLinearModules(cfg, () => false),
  expectedWeights: (cfg) => llamaFamilyExpectedWeights(cfg, () => false),
  defaultLoraTargets: ['q_proj', 'v_proj'],
  defaultIa3Targets: { targets: ['k_proj', 'v_proj', 'down_proj'], feedforward: ['down_proj'] },
  hasBias: () => false,
};
