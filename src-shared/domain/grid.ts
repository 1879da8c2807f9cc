// The cells of a sweep: the cartesian product of its axes, in a stable order (method, r, targets, bits, alpha,
// learning rate, seed), each with a stable key and a readable label. Pure, so the renderer lays out the grid
// while the person edits it and the host expands it identically.
import type { BitWidth, SweepCell, SweepMethod, SweepSpec, TargetSet } from './sweep-spec';
import { targetSetKey, targetSetLabel } from './sweep-spec';

function product<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
}

/** Methods whose trainable tensors depend on neither r nor the target modules: IA3 (PEFT's per-architecture
 *  targets), prompt and prefix tuning (virtual tokens) and full fine-tuning (every weight). */
const NO_RANK_METHODS: SweepMethod[] = ['ia3', 'prompt', 'prefix', 'full'];

/** Whether a method's cells multiply by the r and target-module axes. */
export function usesRankAndTargets(method: SweepMethod): boolean {
  return !NO_RANK_METHODS.includes(method);
}

export function cellKey(c: Omit<SweepCell, 'key' | 'label'>): string {
  return [c.method, `r${c.r}`, targetSetKey(c.targets), `b${c.bits}`, `a${c.loraAlpha}`, `lr${c.learningRate}`, `s${c.seed}`].join('|');
}

export function cellLabel(c: Omit<SweepCell, 'key' | 'label'>, spec: SweepSpec): string {
  const parts: string[] = [c.method];
  if (usesRankAndTargets(c.method)) parts.push(`r=${c.r}`, targetSetLabel(c.targets));
  parts.push(`${c.bits}-bit`);
  if (spec.axes.loraAlpha && spec.axes.loraAlpha.length > 1) parts.push(`α=${c.loraAlpha}`);
  if (spec.axes.learningRate && spec.axes.learningRate.length > 1) parts.push(`lr=${c.learningRate}`);
  if (spec.axes.seed && spec.axes.seed.length > 1) parts.push(`seed ${c.seed}`);
  return parts.join(' · ');
}

/** Every cell of the grid (including ones the pre-flight will flag as impossible or duplicate). */
export function expandGrid(spec: SweepSpec): SweepCell[] {
  const a = spec.axes;
  const alphas: (number | null)[] = a.loraAlpha ?? [null];
  const lrs = a.learningRate ?? [spec.training.learningRate];
  const seeds = a.seed ?? [spec.training.seed];
  // Methods that use neither r nor target modules (IA3's targets are PEFT's per-architecture defaults, prompt and
  // prefix tuning train virtual tokens) get one cell per remaining combination, not one per r × targets.
  const combos = a.method.flatMap((m) => product<unknown>([[m], usesRankAndTargets(m) ? a.r : [a.r[0]], usesRankAndTargets(m) ? a.targets : [a.targets[0]], a.bits, alphas, lrs, seeds]));
  return combos.map((combo) => {
    const [method, r, targets, bits, alpha, learningRate, seed] = combo as [SweepMethod, number, TargetSet, BitWidth, number | null, number, number];
    const base = { method, r, targets, bits, loraAlpha: alpha ?? spec.lora.alphaPerR * r, learningRate, seed };
    return { ...base, key: cellKey(base), label: cellLabel(base, spec) };
  });
}
