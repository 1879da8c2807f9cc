// (IA)³'s adapter_config.json in the form of PEFT's IA3Config (peft-spec §4, §6.2) and back. The saved target and
// feed-forward lists name the same modules as the config did, and the feed-forward list is always a subset of the
// target list (PEFT checks that when it loads the file).
import { PeftLabError } from '../../../../src-shared/errors';
import type { Ia3Config } from '../../../../src-shared/domain/methods';
import type { LinearModuleInfo } from '../../model/architectures/types';
import { isAllLinear, savedTargetNames } from '../targets';
import type { ModelShape } from '../types';
import { parseIa3Config, planIa3Modules } from './config';

/** Saved names for the targets and, among them, the feed-forward ones (full names where short ones would mix both). */
function savedLists(modules: LinearModuleInfo[], picked: LinearModuleInfo[], isFF: (m: LinearModuleInfo) => boolean): { targets: string[]; feedforward: string[] } {
  const covered = (name: string) => picked.filter((m) => m.name === name || m.name.endsWith(`.${name}`));
  let targets = savedTargetNames(modules, picked);
  if (targets.some((t) => { const c = covered(t); return c.some(isFF) && !c.every(isFF); })) targets = picked.map((m) => m.name).sort();
  return { targets, feedforward: targets.filter((t) => covered(t).every(isFF)) };
}

export function ia3PeftConfig(model: ModelShape, cfg: Ia3Config, baseModelName: string): Record<string, unknown> {
  const modules = model.arch.linearModules(model.config);
  const plans = planIa3Modules(model, cfg);
  const ffNames = new Set(plans.filter((p) => p.feedforward).map((p) => p.module.name));
  const lists = savedLists(modules, plans.map((p) => p.module), (m) => ffNames.has(m.name));
  const regexTargets = typeof cfg.targetModules === 'string' && !isAllLinear(cfg.targetModules);
  const regexFF = typeof cfg.feedforwardModules === 'string';
  return {
    auto_mapping: null,
    base_model_name_or_path: baseModelName,
    fan_in_fan_out: false,
    feedforward_modules: regexFF ? cfg.feedforwardModules : lists.feedforward, // a regex is saved as written
    inference_mode: true,
    init_ia3_weights: cfg.initIa3Weights,
    modules_to_save: null,
    peft_type: 'IA3',
    revision: null,
    target_modules: regexTargets ? cfg.targetModules : lists.targets,
    task_type: 'CAUSAL_LM',
  };
}

export function isIa3PeftConfig(json: Record<string, unknown>): boolean {
  return json.peft_type === 'IA3';
}

/** Reads PEFT's keys; unknown keys are ignored and missing ones defaulted, as PEFT does. */
export function ia3FromPeftConfig(json: Record<string, unknown>, where: string): Ia3Config {
  const unsupported: string[] = [];
  if (Array.isArray(json.modules_to_save) && json.modules_to_save.length) unsupported.push('modules_to_save');
  if (json.fan_in_fan_out) unsupported.push('fan_in_fan_out');
  if (unsupported.length) {
    throw new PeftLabError('ADAPTER_INVALID', `${where}: this IA3 adapter uses ${unsupported.join(', ')}, which PEFT Lab cannot load yet`);
  }
  return parseIa3Config({
    targetModules: json.target_modules ?? undefined,
    feedforwardModules: json.feedforward_modules ?? undefined,
    excludeModules: json.exclude_modules ?? undefined,
    initIa3Weights: json.init_ia3_weights !== false,
  }, where);
}
