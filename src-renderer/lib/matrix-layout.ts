// How the generation matrix lays out its columns (the base model and the runs): a flat list, or by the grid axes
// (a tab per value of one axis, columns grouped by the values of another, ordered by the rest). Hidden columns
// are left out. Pure, so it is unit-tested.
import type { MatrixColumn } from '../../src-shared/domain/review-views';
import { targetSetLabel } from '../../src-shared/domain/sweep-spec';

export const LAYOUT_AXES = ['method', 'r', 'targets', 'bits', 'loraAlpha', 'learningRate', 'seed'] as const;
export type LayoutAxis = (typeof LAYOUT_AXES)[number];

export interface LayoutOptions {
  mode: 'flat' | 'axes';
  /** Axis whose values become tabs (axes mode). */
  tabAxis: LayoutAxis | null;
  /** Axis whose values group the columns (axes mode). */
  groupAxis: LayoutAxis | null;
  /** The tab shown (a value of tabAxis); null: the first. */
  tab: string | null;
  hidden: ReadonlySet<string>;
}

export interface ColumnGroup {
  label: string | null;
  columns: MatrixColumn[];
}

export interface Layout {
  tabs: string[];
  tab: string | null;
  groups: ColumnGroup[];
  /** Visible columns in display order. */
  columns: MatrixColumn[];
}

export function axisValue(c: MatrixColumn, axis: LayoutAxis): string | null {
  const cell = c.cell;
  if (!cell) return null;
  switch (axis) {
    case 'targets': return targetSetLabel(cell.targets);
    case 'bits': return `${cell.bits}-bit`;
    case 'r': return `r=${cell.r}`;
    case 'loraAlpha': return `α=${cell.loraAlpha}`;
    case 'learningRate': return `lr=${cell.learningRate}`;
    case 'seed': return `seed ${cell.seed}`;
    case 'method': return cell.method;
  }
}

/** Axes along which the runs differ (worth laying out by). */
export function varyingAxes(columns: readonly MatrixColumn[]): LayoutAxis[] {
  return LAYOUT_AXES.filter((a) => new Set(columns.filter((c) => c.cell).map((c) => axisValue(c, a))).size > 1);
}

function numericAware(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function sortKey(c: MatrixColumn): string {
  return LAYOUT_AXES.map((a) => axisValue(c, a) ?? '').join('|');
}

export function layoutColumns(all: readonly MatrixColumn[], o: LayoutOptions): Layout {
  const visible = all.filter((c) => !o.hidden.has(c.key));
  const base = visible.filter((c) => c.runId === null);
  let runs = visible.filter((c) => c.runId !== null);
  if (o.mode === 'flat') return { tabs: [], tab: null, groups: [{ label: null, columns: visible }], columns: visible };
  const tabs = o.tabAxis ? [...new Set(runs.map((c) => axisValue(c, o.tabAxis!)!))].sort(numericAware) : [];
  const tab = tabs.length ? (o.tab && tabs.includes(o.tab) ? o.tab : tabs[0]) : null;
  if (o.tabAxis && tab !== null) runs = runs.filter((c) => axisValue(c, o.tabAxis!) === tab);
  runs = [...runs].sort((a, b) => numericAware(sortKey(a), sortKey(b)));
  const groups: ColumnGroup[] = base.length ? [{ label: null, columns: base }] : [];
  if (o.groupAxis && o.groupAxis !== o.tabAxis) {
    const values = [...new Set(runs.map((c) => axisValue(c, o.groupAxis!)!))].sort(numericAware);
    for (const v of values) groups.push({ label: v, columns: runs.filter((c) => axisValue(c, o.groupAxis!) === v) });
  } else if (runs.length) {
    groups.push({ label: null, columns: runs });
  }
  return { tabs, tab, groups, columns: groups.flatMap((g) => g.columns) };
}
