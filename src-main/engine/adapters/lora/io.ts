// LoRA's adapter_config.json in PEFT's form (peft-spec §6.2; representative PEFT ≈0.13 key set) and back.
import { PeftLabError } from '../../../../src-shared/errors';
import { previewValue } from '../../../../src-shared/preview';
import type { LoraConfig } from '../../../../src-shared/domain/methods';
import { pyFloat } from '../peft-json';
import { isAllLinear, savedTargetNames } from '../targets';
import type { ModelShape } from '../types';
import { parseLoraConfig, planLoraModules } from './config';

export function loraPeftConfig(model: ModelShape, cfg: LoraConfig, baseModelName: string): Record<string, unknown> {
  const modules = model.arch.linearModules(model.config);
  const picked = planLoraModules(model, cfg).map((p) => p.module);
  const target = typeof cfg.targetModules === 'string' && !isAllLinear(cfg.targetModules)
    ? cfg.targetModules // a regex is saved as written
    : savedTargetNames(modules, picked);
  return {
    alpha_pattern: cfg.alphaPattern,
    auto_mapping: null,
    base_model_name_or_path: baseModelName,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: cfg.initLoraWeights,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: cfg.layersToTransform ?? null,
    loftq_config: {},
    lora_alpha: Number.isInteger(cfg.loraAlpha) ? cfg.loraAlpha : pyFloat(cfg.loraAlpha),
    lora_dropout: pyFloat(cfg.loraDropout),
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: cfg.r,
    rank_pattern: cfg.rankPattern,
    revision: null,
    target_modules: target,
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: cfg.useRslora,
  };
}

export function isLoraPeftConfig(json: Record<string, unknown>): boolean {
  return json.peft_type === 'LORA' && !json.use_mora;
}

/** Reads PEFT's keys; unknown keys are ignored and missing ones defaulted, as PEFT does. */
export function loraFromPeftConfig(json: Record<string, unknown>, where: string): LoraConfig {
  const unsupported: string[] = [];
  if (json.use_dora) unsupported.push('use_dora');
  if (json.bias && json.bias !== 'none') unsupported.push(`bias=${previewValue(json.bias)}`);
  if (Array.isArray(json.modules_to_save) && json.modules_to_save.length) unsupported.push('modules_to_save');
  if (json.fan_in_fan_out) unsupported.push('fan_in_fan_out');
  if (unsupported.length) {
    throw new PeftLabError('ADAPTER_INVALID', `${where}: this adapter uses ${unsupported.join(', ')}, which PEFT Lab cannot load yet`);
  }
  const targets = json.target_modules;
  return parseLoraConfig({
    r: json.r ?? 8,
    loraAlpha: json.lora_alpha ?? 8,
    loraDropout: json.lora_dropout ?? 0,
    useRslora: json.use_rslora ?? false,
    targetModules: targets ?? undefined,
    excludeModules: json.exclude_modules ?? undefined,
    initLoraWeights: json.init_lora_weights === 'gaussian' ? 'gaussian' : json.init_lora_weights !== false,
    rankPattern: json.rank_pattern ?? {},
    alphaPattern: json.alpha_pattern ?? {},
    layersToTransform: typeof json.layers_to_transform === 'number' ? [json.layers_to_transform] : json.layers_to_transform ?? undefined,
  }, where);
}
