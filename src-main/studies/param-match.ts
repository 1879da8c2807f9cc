// Equal trainable parameters for LoRA and MoRA (MoRA paper §5: methods are compared "with the same number of
// trainable parameters"). LoRA trains r·(n+m) per module, MoRA r̂² with r̂ = ⌊√((n+m)·r) + 0.5⌋ (even for type 6,
// peft-spec §3.1, §3.5), so MoRA's config r that matches a LoRA rank is found by counting both with the plan
// that builds the adapters (engine/plan/params.ts) and keeping the r whose count is closest.
import type { MoraType } from '../../src-shared/domain/methods';
import { adapterMethod } from '../engine/adapters/index';
import type { ModelShape } from '../engine/adapters/types';
import { planParameters } from '../engine/plan/params';

export interface EqualBudget {
  loraR: number;
  moraR: number;
  loraParams: number;
  moraParams: number;
  /** |moraParams − loraParams| / loraParams. */
  relativeGap: number;
}

type Targets = string[] | 'all-linear';

export function trainableCount(model: ModelShape, method: 'lora' | 'mora', r: number, targets: Targets, moraType: MoraType = 1): number {
  const m = adapterMethod(method);
  const raw = method === 'mora' ? { method, r, targetModules: targets, moraType } : { method, r, targetModules: targets };
  return planParameters(model, m, m.parseConfig(raw, `${method} r=${r}`)).trainable;
}

/** MoRA's config r (searched over 1 … 4·loraR) whose trainable count is closest to LoRA's at `loraR`; ties go to the
 *  smaller r. */
export function moraRankForLora(model: ModelShape, loraR: number, targets: Targets, moraType: MoraType = 1): EqualBudget {
  const loraParams = trainableCount(model, 'lora', loraR, targets);
  let best: { r: number; n: number } | null = null;
  for (let r = 1; r <= 4 * loraR; r++) {
    const n = trainableCount(model, 'mora', r, targets, moraType);
    if (!best || Math.abs(n - loraParams) < Math.abs(best.n - loraParams)) best = { r, n };
    if (n > loraParams) break; // counts grow with r: every larger r is further away
  }
  const b = best!;
  return { loraR, moraR: b.r, loraParams, moraParams: b.n, relativeGap: Math.abs(b.n - loraParams) / loraParams };
}
