// LoRA's configuration: validation and the per-module shapes that both planning and injection use
// (peft-spec §1.1–1.3, §1.10: A (r, n), B (m, r), trainable r·(n + m) per module).
import { PeftLabError } from '../../../../src-shared/errors';
import type { LoraConfig } from '../../../../src-shared/domain/methods';
import { LoraConfigSchema } from '../../../../src-shared/domain/methods';
import { parseWith } from '../../../../src-shared/domain/validate';
import type { LinearModuleInfo } from '../../model/architectures/types';
import { patternValue, resolveTargets } from '../targets';
import type { ModelShape } from '../types';

export function parseLoraConfig(raw: unknown, where: string): LoraConfig {
  const obj = raw && typeof raw === 'object' ? { method: 'lora', ...(raw as object) } : raw;
  return parseWith(LoraConfigSchema, obj, where);
}

export interface LoraModulePlan {
  module: LinearModuleInfo;
  r: number;
  alpha: number;
  scaling: number;
  keyA: string;
  keyB: string;
}

export function loraScaling(alpha: number, r: number, rslora: boolean): number {
  return rslora ? alpha / Math.sqrt(r) : alpha / r;
}

/** Saved tensor key of a module's parameter (peft-spec §6.3: adapter name removed, `base_model.model.` prefix). */
export const peftKey = (module: string, param: string): string => `base_model.model.${module}.${param}`;

export function planLoraModules(model: ModelShape, cfg: LoraConfig): LoraModulePlan[] {
  const modules = model.arch.linearModules(model.config);
  const targets = resolveTargets(modules, cfg.targetModules ?? model.arch.defaultLoraTargets, {
    exclude: cfg.excludeModules,
    layers: cfg.layersToTransform,
    where: 'method.targetModules',
  });
  return targets.map((m) => {
    const r = patternValue(cfg.rankPattern, m.name, cfg.r, 'method.rankPattern (rank_pattern)');
    const alpha = patternValue(cfg.alphaPattern, m.name, cfg.loraAlpha, 'method.alphaPattern (alpha_pattern)');
    if (r > Math.min(m.inFeatures, m.outFeatures)) {
      throw new PeftLabError('RANK_TOO_LARGE',
        `method.r = ${r} is larger than module ${m.name} allows (in ${m.inFeatures}, out ${m.outFeatures}); ` +
        `a rank above min(in, out) = ${Math.min(m.inFeatures, m.outFeatures)} adds parameters without adding capacity. Lower r or drop this target.`,
        { module: m.name, r, inFeatures: m.inFeatures, outFeatures: m.outFeatures });
    }
    return {
      module: m, r, alpha,
      scaling: loraScaling(alpha, r, cfg.useRslora),
      keyA: peftKey(m.name, 'lora_A.weight'),
      keyB: peftKey(m.name, 'lora_B.weight'),
    };
  });
}
