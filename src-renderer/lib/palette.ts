// One colour per cell of a sweep (Tableau 10: distinguishable, calm), cycling beyond ten.
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function seriesColour(index: number): string {
  return COLOURS[((index % COLOURS.length) + COLOURS.length) % COLOURS.length];
}

/** `#rrggbb` with an alpha channel, for faint raw series behind the smoothed ones. */
export function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255).toString(16).padStart(2, '0');
  return `${hex}${a}`;
}
