// Lays the cells of a sweep out as a table for the builder: rows are method × r (× alpha, lr, seed when swept),
// columns are target modules × bit width, the way the Databricks study reads.
import { usesRankAndTargets } from '../../src-shared/domain/grid';
import type { SweepCell } from '../../src-shared/domain/sweep-spec';
import { targetSetKey, targetSetLabel } from '../../src-shared/domain/sweep-spec';

export interface GridAxisEntry {
  key: string;
  label: string;
}

export interface GridLayout {
  rows: GridAxisEntry[];
  cols: GridAxisEntry[];
  /** Cell at `${row.key}/${col.key}`. */
  cells: Map<string, SweepCell>;
}

function rowOf(c: SweepCell, swept: { alpha: boolean; lr: boolean; seed: boolean }): GridAxisEntry {
  const ranked = usesRankAndTargets(c.method);
  const parts = [c.method, ranked ? `r=${c.r}` : ''];
  if (swept.alpha) parts.push(`α=${c.loraAlpha}`);
  if (swept.lr) parts.push(`lr=${c.learningRate}`);
  if (swept.seed) parts.push(`seed ${c.seed}`);
  const shown = parts.filter(Boolean);
  return { key: shown.join('|'), label: shown.join(' · ') };
}

/** Every cell sits under its real targets × bits column; methods that ignore r and targets (IA3, prompt, prefix)
 *  have one cell per bit width, under the first targets column (expandGrid makes no copies of them). */
function colOf(c: SweepCell): GridAxisEntry {
  return { key: `${targetSetKey(c.targets)}|${c.bits}`, label: `${targetSetLabel(c.targets)} · ${c.bits}-bit` };
}

export function gridLayout(cells: readonly SweepCell[]): GridLayout {
  const distinct = <T>(xs: T[]): number => new Set(xs).size;
  const swept = {
    alpha: distinct(cells.map((c) => c.loraAlpha / Math.max(1, c.r))) > 1 && distinct(cells.map((c) => c.loraAlpha)) > distinct(cells.map((c) => c.r)),
    lr: distinct(cells.map((c) => c.learningRate)) > 1,
    seed: distinct(cells.map((c) => c.seed)) > 1,
  };
  const rows = new Map<string, GridAxisEntry>();
  const cols = new Map<string, GridAxisEntry>();
  const at = new Map<string, SweepCell>();
  for (const c of cells) {
    const row = rowOf(c, swept);
    const col = colOf(c);
    rows.set(row.key, row);
    cols.set(col.key, col);
    if (!at.has(`${row.key}/${col.key}`)) at.set(`${row.key}/${col.key}`, c);
  }
  return { rows: [...rows.values()], cols: [...cols.values()], cells: at };
}
