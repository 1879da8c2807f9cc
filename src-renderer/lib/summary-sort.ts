// Sorting the study summary by any of its columns; unknown values (—) go last whichever the direction.
import type { SummaryRow } from '../../src-shared/domain/review-views';

export type SortKey = 'label' | 'trainableParams' | 'trainSeconds' | 'peakMemoryBytes' | 'baseWeightBytes' | 'finalTrainLoss' | 'valLoss' |
  'perplexity' | 'meanRating' | 'pairwise' | 'rougeL' | 'bleu' | 'r' | 'bits';

function value(r: SummaryRow, key: SortKey): string | number | null {
  if (key === 'pairwise') return r.pairwise?.theta ?? null;
  return r[key];
}

export function sortRows(rows: readonly SummaryRow[], key: SortKey, descending: boolean): SummaryRow[] {
  return [...rows].sort((a, b) => {
    const x = value(a, key);
    const y = value(b, key);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
    return descending ? -c : c;
  });
}
