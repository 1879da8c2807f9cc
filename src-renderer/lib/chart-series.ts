// Turns metric rows into the lines a chart draws: the x axis chosen (step, epoch or tokens), EMA smoothing with the
// raw series faint behind it, validation loss dashed, non-positive values dropped on a log axis.
import type { MetricName } from '../../src-shared/domain/records';
import { emaSmooth } from './ema';
import { withAlpha } from './palette';
import type { MetricRow } from './series-store';

export type XAxis = 'step' | 'epoch' | 'tokens';

export interface ChartPoint {
  x: number;
  y: number;
}

/** One line of a chart, in chart-library-neutral terms. */
export interface ChartLine {
  /** Stable identity (the chart updates lines in place by key). */
  key: string;
  label: string;
  colour: string;
  points: ChartPoint[];
  dashed: boolean;
  width: number;
  /** Shown in the hover tooltip (raw series behind a smoothed one are not). */
  tooltip: boolean;
  /** Draw a marker on every point (sparse series such as validation loss). */
  markers: boolean;
}

export interface ChartRun {
  runId: number;
  label: string;
  colour: string;
}

export interface LineOptions {
  xAxis: XAxis;
  smoothing: number;
  logY: boolean;
}

type RowsOf = (runId: number, name: MetricName) => readonly MetricRow[];

const FIELD: Record<XAxis, 0 | 2 | 3> = { step: 0, epoch: 2, tokens: 3 };

/** x of a row on the chosen axis; a row without epoch/tokens (a validation point) borrows them from `reference`. */
export function xResolver(axis: XAxis, reference: readonly MetricRow[]): (row: MetricRow) => number | null {
  const f = FIELD[axis];
  return (row) => {
    if (f === 0) return row[0];
    const own = row[f];
    if (own !== null && own !== undefined) return own;
    return interpolate(reference, row[0], f);
  };
}

function interpolate(rows: readonly MetricRow[], step: number, f: 2 | 3): number | null {
  let lo = 0;
  let hi = rows.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid][0] < step) lo = mid + 1;
    else hi = mid;
  }
  const at = rows[lo];
  const prev = lo > 0 ? rows[lo - 1] : null;
  const atX = at[f];
  if (at[0] === step || !prev || prev[f] === null || atX === null) return atX ?? null;
  if (at[0] < step) return step === 0 ? 0 : (atX / at[0]) * step; // past the end: extrapolate proportionally
  const prevX = prev[f] as number;
  return prevX + ((atX - prevX) * (step - prev[0])) / (at[0] - prev[0]);
}

export function toPoints(rows: readonly MetricRow[], x: (r: MetricRow) => number | null, values: readonly number[], logY: boolean): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (let i = 0; i < rows.length; i++) {
    const xv = x(rows[i]);
    const y = values[i];
    if (xv === null || !Number.isFinite(y) || (logY && y <= 0)) continue;
    out.push({ x: xv, y });
  }
  return out;
}

/** Train loss (smoothed, raw faint behind it) and validation loss (dashed) of every run. */
export function lossLines(runs: readonly ChartRun[], rowsOf: RowsOf, o: LineOptions): ChartLine[] {
  const lines: ChartLine[] = [];
  for (const run of runs) {
    const train = rowsOf(run.runId, 'train_loss');
    const val = rowsOf(run.runId, 'val_loss');
    const x = xResolver(o.xAxis, train);
    const raw = train.map((r) => r[1]);
    const base = { colour: run.colour, dashed: false, markers: false };
    if (o.smoothing > 0) {
      lines.push({ ...base, key: `${run.runId}:raw`, label: `${run.label} (train, raw)`, colour: withAlpha(run.colour, 0.25), points: toPoints(train, x, raw, o.logY), width: 1, tooltip: false });
    }
    lines.push({ ...base, key: `${run.runId}:train`, label: `${run.label} (train)`, points: toPoints(train, x, emaSmooth(raw, o.smoothing), o.logY), width: 2, tooltip: true });
    lines.push({ ...base, key: `${run.runId}:val`, label: `${run.label} (validation)`, points: toPoints(val, x, val.map((r) => r[1]), o.logY), width: 2, dashed: true, tooltip: true, markers: true });
  }
  return lines;
}

/** One metric of one run as a single line (run detail charts). */
export function metricLine(key: string, label: string, colour: string, rows: readonly MetricRow[], reference: readonly MetricRow[], o: LineOptions): ChartLine {
  const x = xResolver(o.xAxis, reference);
  const values = emaSmooth(rows.map((r) => r[1]), o.smoothing);
  return { key, label, colour, points: toPoints(rows, x, values, o.logY), dashed: false, width: 2, tooltip: true, markers: rows.length < 40 };
}
