// (IA)³'s configuration: validation and the per-module vectors that planning and injection share (peft-spec §4;
// PEFT `ia3/model.py` `_check_target_module_feedforward`, `_prepare_adapter_config`). Targets follow LoRA's rule
// (default: the architecture's IA3 targets); a target is feed-forward when its full name ends with a
// feedforwardModules entry (plain `endswith`, no dot boundary) or fully matches it when that is a string.
// Non-feed-forward targets scale their output with l (m, 1); feed-forward targets scale their input with l (1, n).
import { PeftLabError } from '../../../../src-shared/errors';
import type { Ia3Config } from '../../../../src-shared/domain/methods';
import { Ia3ConfigSchema } from '../../../../src-shared/domain/methods';
import { parseWith } from '../../../../src-shared/domain/validate';
import type { LinearModuleInfo } from '../../model/architectures/types';
import { peftKey } from '../lora/config';
import type { TargetSpec } from '../targets';
import { fullRegex, resolveTargets } from '../targets';
import type { ModelShape } from '../types';

export function parseIa3Config(raw: unknown, where: string): Ia3Config {
  const obj = raw && typeof raw === 'object' ? { method: 'ia3', ...(raw as object) } : raw;
  return parseWith(Ia3ConfigSchema, obj, where);
}

export interface Ia3ModulePlan {
  module: LinearModuleInfo;
  feedforward: boolean;
  /** `base_model.model.<module>.ia3_l` */
  key: string;
  /** (m, 1) for an output scale, (1, n) for an input (feed-forward) scale. */
  shape: [number, number];
}

/** PEFT's feed-forward test: a string is a full-name regex, a list matches by plain suffix. */
export function feedforwardMatcher(ff: TargetSpec): (name: string) => boolean {
  if (typeof ff !== 'string') return (name) => ff.some((e) => name.endsWith(e));
  const re = fullRegex(ff, 'method.feedforwardModules');
  return (name) => re.test(name);
}

export function planIa3Modules(model: ModelShape, cfg: Ia3Config): Ia3ModulePlan[] {
  const defaults = model.arch.defaultIa3Targets;
  const targets = resolveTargets(model.arch.linearModules(model.config), cfg.targetModules ?? defaults.targets, {
    exclude: cfg.excludeModules,
    where: 'method.targetModules',
  });
  const isFF = feedforwardMatcher(cfg.feedforwardModules ?? defaults.feedforward);
  const ffGiven = cfg.feedforwardModules !== undefined && cfg.feedforwardModules.length > 0;
  if (ffGiven && !targets.some((m) => isFF(m.name))) {
    // PEFT accepts this silently; a typo here would quietly turn input scaling into output scaling.
    throw new PeftLabError('UNKNOWN_TARGET_MODULE',
      `method.feedforwardModules: ${JSON.stringify(cfg.feedforwardModules)} matches none of the adapted modules ` +
      `(${[...new Set(targets.map((m) => m.shortName))].join(', ')})`);
  }
  return targets.map((m) => {
    const feedforward = isFF(m.name);
    return { module: m, feedforward, key: peftKey(m.name, 'ia3_l'), shape: feedforward ? [1, m.inFeatures] : [m.outFeatures, 1] };
  });
}
