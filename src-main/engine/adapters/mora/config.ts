// MoRA's configuration: validation and the per-module sizes that planning and injection share (peft-spec §3.1,
// §3.4, §3.5): one square matrix of side r̂ per module, trainable r̂², saved under lora_A.weight and again under
// lora_B.weight. A module whose shape cannot take the type (or any type a ReMoRA cycle reaches) is refused here,
// at plan time, with the module named.
import { PeftLabError } from '../../../../src-shared/errors';
import type { MoraConfig, MoraType } from '../../../../src-shared/domain/methods';
import { MoraConfigSchema, REMORA_CYCLES } from '../../../../src-shared/domain/methods';
import { parseWith } from '../../../../src-shared/domain/validate';
import type { LinearModuleInfo } from '../../model/architectures/types';
import { peftKey } from '../lora/config';
import { patternValue, resolveTargets } from '../targets';
import type { ModelShape } from '../types';
import { moraGeometry, moraRank } from './geometry';
import { moraVariant } from './variants';

export function parseMoraConfig(raw: unknown, where: string): MoraConfig {
  const obj = raw && typeof raw === 'object' ? { method: 'mora', ...(raw as object) } : raw;
  return parseWith(MoraConfigSchema, obj, where);
}

/** Every type a run with this config uses: the configured one, and with ReMoRA the whole cycle. */
export function moraTypesUsed(cfg: MoraConfig): MoraType[] {
  return cfg.remora ? [...REMORA_CYCLES[cfg.remora.types]] : [cfg.moraType];
}

export interface MoraModulePlan {
  module: LinearModuleInfo;
  /** The configured rank (rank_pattern applied). */
  r: number;
  /** Side of the square matrix M. */
  rHat: number;
  /** lora_A.weight holds M; lora_B.weight is the same tensor saved again. */
  keyA: string;
  keyB: string;
}

export function planMoraModules(model: ModelShape, cfg: MoraConfig): MoraModulePlan[] {
  const modules = model.arch.linearModules(model.config);
  const targets = resolveTargets(modules, cfg.targetModules ?? model.arch.defaultLoraTargets, {
    exclude: cfg.excludeModules,
    layers: cfg.layersToTransform,
    where: 'method.targetModules',
  });
  const variants = moraTypesUsed(cfg).map(moraVariant);
  return targets.map((m) => {
    const r = patternValue(cfg.rankPattern, m.name, cfg.r, 'method.rankPattern (rank_pattern)');
    const { inFeatures: n, outFeatures: out } = m;
    const rHat = moraRank(n, out, r, moraVariant(cfg.moraType).evenRank);
    for (const v of variants) {
      const side = moraRank(n, out, r, v.evenRank);
      const unmet = side < (v.evenRank ? 2 : 1) ? [`r̂ ≥ ${v.evenRank ? 2 : 1}`] : v.requirements(moraGeometry(n, out, side));
      if (unmet.length) {
        throw new PeftLabError('RANK_TOO_LARGE',
          `method.r = ${r} gives r̂ = ${side} for module ${m.name} (in ${n}, out ${out}), but MoRA type ${v.type} (${v.name}) needs ${unmet.join(' and ')}. ` +
          'Lower r, use type 1 (it fits every shape), or drop this target.',
          { module: m.name, r, rHat: side, inFeatures: n, outFeatures: out, moraType: v.type });
      }
    }
    return { module: m, r, rHat, keyA: peftKey(m.name, 'lora_A.weight'), keyB: peftKey(m.name, 'lora_B.weight') };
  });
}
