// How a study verdict decides "agrees", "disagrees" or "within seed noise". Every comparison is a contrast of run
// values, d = Σ cᵢ·xᵢ (a difference of two group means, or of two effects). With seed replicates the noise of one
// run, σ, is the pooled sample SD across the seeds of each configuration, and d is within seed noise when
// |d| ≤ 2·σ·√(Σ cᵢ²) (about a 95% band for independent runs); with one seed a stated tolerance per metric is used
// instead (|d| ≤ tolerance).
import type { NoiseBasis } from '../../src-shared/domain/study-preset';
import type { StudyMetric, StudyRun } from './types';

export interface Contrast {
  /** Σ cᵢ·xᵢ over the runs that have the metric. */
  value: number;
  /** Beyond this |value| the difference is real. */
  threshold: number;
  /** Runs that entered. */
  runs: number;
}

const configKey = (r: StudyRun): string => r.cell.key.replace(/\|s\d+$/, '');

/** Pooled sample SD across seeds (configurations with ≥ 2 finished seeds), or null when no configuration has two. */
export function pooledSeedSd(runs: readonly StudyRun[], metric: StudyMetric): number | null {
  const byConfig = new Map<string, number[]>();
  for (const r of runs) {
    const v = metric.of(r);
    if (v === null || !Number.isFinite(v)) continue;
    const k = configKey(r);
    byConfig.set(k, [...(byConfig.get(k) ?? []), v]);
  }
  let ss = 0;
  let df = 0;
  for (const xs of byConfig.values()) {
    if (xs.length < 2) continue;
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    ss += xs.reduce((a, x) => a + (x - m) ** 2, 0);
    df += xs.length - 1;
  }
  return df > 0 ? Math.sqrt(ss / df) : null;
}

export class Judge {
  private readonly sd = new Map<string, number | null>();
  readonly seeded: boolean;

  constructor(private readonly runs: readonly StudyRun[], private readonly metrics: readonly StudyMetric[]) {
    for (const m of metrics) this.sd.set(m.name, pooledSeedSd(runs, m));
    this.seeded = new Set(runs.map((r) => r.cell.seed)).size >= 2 && metrics.some((m) => this.sd.get(m.name) !== null);
  }

  basis(): NoiseBasis {
    const values: Record<string, number> = {};
    for (const m of this.metrics) {
      const sd = this.sd.get(m.name);
      values[m.name] = this.seeded && sd !== null && sd !== undefined ? sd : m.tolerance;
    }
    const shown = this.metrics.map((m) => `${m.name} ${values[m.name].toFixed(m.digits)}`).join(', ');
    return this.seeded
      ? { kind: 'seeds', values, text: `seed noise = pooled SD across seeds of one configuration (${shown}); a difference is real beyond 2·SD·√Σc² of its contrast` }
      : { kind: 'tolerance', values, text: `one seed, so a stated tolerance decides what is noise (${shown}); run the full variant for seed replicates` };
  }

  /** d = Σ weight(run)·metric(run) over runs with a finite value and a non-zero weight. */
  contrast(metric: StudyMetric, weight: (r: StudyRun) => number): Contrast {
    let value = 0;
    let sumSq = 0;
    let n = 0;
    for (const r of this.runs) {
      const c = weight(r);
      const v = metric.of(r);
      if (c === 0 || v === null || !Number.isFinite(v)) continue;
      value += c * v;
      sumSq += c * c;
      n++;
    }
    const sd = this.sd.get(metric.name) ?? null;
    const threshold = this.seeded && sd !== null ? 2 * sd * Math.sqrt(sumSq) : metric.tolerance;
    return { value, threshold, runs: n };
  }

  /** mean(metric | inA) − mean(metric | inB) as a contrast (weights ±1/size over runs that have the metric). */
  difference(metric: StudyMetric, inA: (r: StudyRun) => boolean, inB: (r: StudyRun) => boolean): Contrast & { a: number; b: number } {
    const has = (r: StudyRun) => { const v = metric.of(r); return v !== null && Number.isFinite(v); };
    const na = this.runs.filter((r) => inA(r) && has(r)).length;
    const nb = this.runs.filter((r) => inB(r) && has(r)).length;
    if (na === 0 || nb === 0) return { value: NaN, threshold: NaN, runs: na + nb, a: na, b: nb };
    return { ...this.contrast(metric, (r) => (inA(r) ? 1 / na : 0) - (inB(r) ? 1 / nb : 0)), a: na, b: nb };
  }
}

/** +1 when d > threshold, −1 when d < −threshold, 0 within noise; null when d could not be measured. */
export function direction(c: Contrast): 1 | 0 | -1 | null {
  if (!Number.isFinite(c.value)) return null;
  return c.value > c.threshold ? 1 : c.value < -c.threshold ? -1 : 0;
}
