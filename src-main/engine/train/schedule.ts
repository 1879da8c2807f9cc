// Learning-rate schedules as in Hugging Face transformers (`get_linear_schedule_with_warmup`,
// `get_cosine_schedule_with_warmup` with 0.5 cycles, `get_constant_schedule_with_warmup`). The multiplier is
// evaluated at the number of updates already done, as the HF Trainer does, so with warm-up the first update
// has learning rate 0.

export type ScheduleKind = 'cosine' | 'linear' | 'constant';

export function lrMultiplier(kind: ScheduleKind, step: number, warmup: number, total: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  if (kind === 'constant') return 1;
  if (kind === 'linear') return Math.max(0, (total - step) / Math.max(1, total - warmup));
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress)));
}

/** Warm-up steps from an explicit count or a ratio of the total (HF: ceil(ratio · total)). */
export function warmupSteps(total: number, steps?: number, ratio?: number): number {
  if (steps !== undefined) return steps;
  if (ratio !== undefined) return Math.ceil(ratio * total);
  return 0;
}
