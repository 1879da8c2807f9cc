// The study summary of a sweep, its sort order, and the exports (downloaded as files).
import type { StudySummary, SummaryRow } from '../../src-shared/domain/review-views';
import type { Host } from '../lib/host';
import { downloadText } from '../lib/download';
import { errorMessage } from '../lib/format';
import type { SortKey } from '../lib/summary-sort';
import { sortRows } from '../lib/summary-sort';

export class SummaryState {
  summary = $state.raw<StudySummary | null>(null);
  error = $state<string | null>(null);
  sortKey = $state<SortKey>('label');
  descending = $state(false);
  readonly rows = $derived<SummaryRow[]>(this.summary ? sortRows(this.summary.rows, this.sortKey, this.descending) : []);

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
    readonly sweepId: number,
  ) {}

  async load(): Promise<void> {
    try {
      this.summary = await this.host.request('review/summary', { sweepId: this.sweepId });
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
      this.onError(err);
    }
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key !== 'label';
    }
  }

  async download(format: 'csv' | 'md' | 'json'): Promise<void> {
    try {
      const file = await this.host.request('review/export', { sweepId: this.sweepId, format });
      downloadText(file.filename, file.content, file.mime);
    } catch (err) {
      this.error = errorMessage(err);
      this.onError(err);
    }
  }
}
