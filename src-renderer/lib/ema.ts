// Exponential moving average with TensorBoard's debiasing (the first values are not pulled towards zero).
// weight 0 = no smoothing, 0.99 = very smooth. Non-finite values pass through without touching the average.
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  const w = Math.min(weight, 0.999);
  const out: number[] = [];
  let last = 0;
  let debias = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * w + (1 - w) * v;
    debias = debias * w + (1 - w);
    out.push(last / debias);
  }
  return out;
}
