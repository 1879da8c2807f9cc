// LlamaForCausalLM (Hugging Face transformers `models/llama`). attention_bias puts a bias on q,k,v,o;
// mlp_bias on gate,up,down. PEFT defaults from peft/utils/constants.py.
import type { ModelConfig } from '../config';
import { llamaFamilyExpectedWeights, llamaFamilyLinearModules } from './llama-family';
import type { Architecture } from './types';

function hasBias(cfg: ModelConfig, s: string): boolean {
  if (['q_proj', 'k_proj', 'v_proj', 'o_proj'].includes(s)) return cfg.attentionBias;
  if (['gate_proj', 'up_proj', 'down_proj'].includes(s)) return cfg.mlpBias;
  return false;
}

export const llama: Architecture = {
  modelType: 'llama',
  classNames: ['LlamaForCausalLM'],
  linearModules: (cfg) => llamaFamilyLinearModules(cfg, (s) => hasBias(cfg, s)),
  expectedWeights: (cfg) => llamaFamilyExpectedWeights(cfg, (s) => hasBias(cfg, s)),
  defaultLoraTargets: ['q_proj', 'v_proj'],
  defaultIa3Targets: { targets: ['k_proj', 'v_proj', 'down_proj'], feedforward: ['down_proj'] },
  hasBias,
};
