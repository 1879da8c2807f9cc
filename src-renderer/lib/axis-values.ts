// Small list operations for sweep axes edited as chips: toggle a value, add one, keep a stable order.
export function toggleNumber(values: readonly number[], v: number): number[] {
  return values.includes(v) ? values.filter((x) => x !== v) : [...values, v].sort((a, b) => a - b);
}

export function toggleInOrder<T>(values: readonly T[], v: T, order: readonly T[]): T[] {
  const next = values.includes(v) ? values.filter((x) => x !== v) : [...values, v];
  return [...next].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** Parses "q_proj, v_proj" or "q_proj v_proj" into distinct module names. */
export function parseModuleList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}
