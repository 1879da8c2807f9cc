// A SeriesStore made reactive: `version` changes whenever its data does, and `rows()` reads it, so a chart
// effect that reads rows re-runs on new points. The data itself stays in plain arrays (never a $state proxy).
import type { MetricName } from '../../src-shared/domain/records';
import type { Host } from '../lib/host';
import { errorMessage } from '../lib/format';
import type { MetricsHub } from '../lib/metrics-hub';
import type { MetricRow } from '../lib/series-store';
import { SeriesStore } from '../lib/series-store';

export class LiveSeries {
  version = $state(0);
  error = $state<string | null>(null);
  readonly store: SeriesStore;
  private readonly detach: () => void;
  private followed = '';

  constructor(host: Host, hub: MetricsHub, names: readonly MetricName[], maxPoints = 1000) {
    this.store = new SeriesStore(host, names, {
      maxPoints,
      onChange: () => {
        this.version += 1;
      },
      onError: (err) => {
        this.error = errorMessage(err);
      },
    });
    this.detach = hub.add(this.store);
  }

  /** Starts fetching every run of a sweep whose runs are not listed yet (see SeriesStore.prefetchSweep). */
  prefetchSweep(sweepId: number): void {
    void this.store.prefetchSweep(sweepId);
  }

  follow(runIds: readonly number[]): void {
    const key = runIds.join(',');
    if (key === this.followed) return;
    this.followed = key;
    void this.store.setRuns(runIds);
  }

  rows(runId: number, name: MetricName): readonly MetricRow[] {
    void this.version;
    return this.store.rows(runId, name);
  }

  dispose(): void {
    this.detach();
  }
}
