// MoRA's adapter_config.json as the MoRA fork (PEFT 0.9.0) writes it (peft-spec §3.5, §6.2): a LoRA config,
// "peft_type": "LORA", plus "use_mora": true and "mora_type"; "r" is the user's r (r̂ is recomputed on load from
// the module shapes). ReMoRA settings are training-time only and not saved (the fork saves none either).
import { PeftLabError } from '../../../../src-shared/errors';
import { previewValue } from '../../../../src-shared/preview';
import type { MoraConfig } from '../../../../src-shared/domain/methods';
import { MORA_TYPES } from '../../../../src-shared/domain/methods';
import { pyFloat } from '../peft-json';
import { isAllLinear, savedTargetNames } from '../targets';
import type { ModelShape } from '../types';
import { parseMoraConfig, planMoraModules } from './config';

export function moraPeftConfig(model: ModelShape, cfg: MoraConfig, baseModelName: string): Record<string, unknown> {
  const modules = model.arch.linearModules(model.config);
  const picked = planMoraModules(model, cfg).map((p) => p.module);
  const target = typeof cfg.targetModules === 'string' && !isAllLinear(cfg.targetModules)
    ? cfg.targetModules // a regex is saved as written
    : savedTargetNames(modules, picked);
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModelName,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: cfg.layersToTransform ?? null,
    loftq_config: {},
    lora_alpha: Number.isInteger(cfg.loraAlpha) ? cfg.loraAlpha : pyFloat(cfg.loraAlpha),
    lora_dropout: pyFloat(cfg.loraDropout),
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    mora_type: cfg.moraType,
    peft_type: 'LORA',
    r: cfg.r,
    rank_pattern: cfg.rankPattern,
    revision: null,
    target_modules: target,
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_mora: true,
    use_rslora: false,
  };
}

export function isMoraPeftConfig(json: Record<string, unknown>): boolean {
  return json.peft_type === 'LORA' && json.use_mora === true;
}

/** Reads the fork's keys; unknown keys are ignored and missing ones defaulted (mora_type 1, as the fork). */
export function moraFromPeftConfig(json: Record<string, unknown>, where: string): MoraConfig {
  const unsupported: string[] = [];
  if (json.use_dora) unsupported.push('use_dora');
  if (json.bias && json.bias !== 'none') unsupported.push(`bias=${previewValue(json.bias)}`);
  if (Array.isArray(json.modules_to_save) && json.modules_to_save.length) unsupported.push('modules_to_save');
  if (json.fan_in_fan_out) unsupported.push('fan_in_fan_out');
  if (unsupported.length) {
    throw new PeftLabError('ADAPTER_INVALID', `${where}: this MoRA adapter uses ${unsupported.join(', ')}, which PEFT Lab cannot load yet`);
  }
  const type = json.mora_type ?? 1;
  if (!(MORA_TYPES as readonly unknown[]).includes(type)) {
    throw new PeftLabError('ADAPTER_INVALID',
      `${where}: mora_type ${previewValue(type)} is not one of ${MORA_TYPES.join(', ')} (type 5 is undefined in the reference implementation)`);
  }
  return parseMoraConfig({
    r: json.r ?? 8,
    moraType: type,
    loraAlpha: json.lora_alpha ?? 8,
    loraDropout: json.lora_dropout ?? 0,
    targetModules: json.target_modules ?? undefined,
    excludeModules: json.exclude_modules ?? undefined,
    rankPattern: json.rank_pattern ?? {},
    layersToTransform: typeof json.layers_to_transform === 'number' ? [json.layers_to_transform] : json.layers_to_transform ?? undefined,
  }, where);
}
