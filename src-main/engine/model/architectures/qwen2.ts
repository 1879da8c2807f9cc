// Qwen2ForCausalLM (transformers `models/qwen2`): q, k and v projections always carry a bias, o_proj and the MLP
// never do. PEFT defaults: LoRA q,v; IA3 q,v,down (peft/utils/constants.py).
import { llamaFamilyExpectedWeights, llamaFamilyLinearModules } from './llama-family';
import type { Architecture } from './types';

const hasBias = (_cfg: unknown, s: string): boolean => s === 'q_proj' || s === 'k_proj' || s === 'v_proj';

export const qwen2: Architecture = {
  modelType: 'qwen2',
  classNames: ['Qwen2ForCausalLM'],
  linearModules: (cfg) => llamaFamilyLinearModules(cfg, (s) => hasBias(cfg, s)),
  expectedWeights: (cfg) => llamaFamilyExpectedWeights(cfg, (s) => hasBias(cfg, s)),
  defaultLoraTargets: ['q_proj', 'v_proj'],
  defaultIa3Targets: { targets: ['q_proj', 'v_proj', 'down_proj'], feedforward: ['down_proj'] },
  hasBias,
};
