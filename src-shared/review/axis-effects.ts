// "Which setting matters": for each grid axis with more than one value, the mean and spread (sample standard
// deviation) of each score over the runs with each value. With seed replicates, the seed spread of a score is the
// mean over cells of the standard deviation across their seeds; an axis whose largest difference of means is
// smaller than that spread is flagged: the difference could be noise.

export interface EffectRow {
  /** Axis name → the run's value on it, as a label ("r=8", "attention q,v", ...). */
  axes: Record<string, string>;
  /** Runs that differ only by seed share this key. */
  cellKey: string;
  scores: Record<string, number | null>;
}

export interface ValueStats {
  value: string;
  n: number;
  mean: number | null;
  std: number | null;
}

export interface AxisEffect {
  axis: string;
  score: string;
  values: ValueStats[];
  /** Largest minus smallest mean. */
  range: number | null;
  seedSpread: number | null;
  /** True when the range is smaller than the seed spread. */
  withinSeedNoise: boolean;
}

export function meanStd(xs: readonly number[]): { mean: number | null; std: number | null } {
  if (xs.length === 0) return { mean: null, std: null };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, std: null };
  const v = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(v) };
}

/** Mean over cells with ≥ 2 seeds of the standard deviation of `score` across those seeds; null without replicates. */
export function seedSpread(rows: readonly EffectRow[], score: string): number | null {
  const byCell = new Map<string, number[]>();
  for (const r of rows) {
    const v = r.scores[score];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    const list = byCell.get(r.cellKey);
    if (list) list.push(v);
    else byCell.set(r.cellKey, [v]);
  }
  const stds = [...byCell.values()].map((xs) => meanStd(xs).std).filter((s): s is number => s !== null);
  return stds.length ? stds.reduce((a, b) => a + b, 0) / stds.length : null;
}

export function axisEffects(rows: readonly EffectRow[], axes: readonly string[], scores: readonly string[]): AxisEffect[] {
  const out: AxisEffect[] = [];
  for (const axis of axes) {
    const values = [...new Set(rows.map((r) => r.axes[axis]).filter((v) => v !== undefined))];
    if (values.length < 2) continue;
    for (const score of scores) {
      const stats = values.map((value) => {
        const xs = rows.filter((r) => r.axes[axis] === value).map((r) => r.scores[score])
          .filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
        return { value, n: xs.length, ...meanStd(xs) };
      });
      const means = stats.map((s) => s.mean).filter((m): m is number => m !== null);
      const range = means.length >= 2 ? Math.max(...means) - Math.min(...means) : null;
      const spread = seedSpread(rows, score);
      out.push({ axis, score, values: stats, range, seedSpread: spread, withinSeedNoise: range !== null && spread !== null && range < spread });
    }
  }
  return out;
}
