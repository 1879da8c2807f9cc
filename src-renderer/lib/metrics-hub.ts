// One subscription to the host's 'run/metrics' events for the whole app, handing the points to every series store
// that is alive (the runs screen's chart, a run's detail charts).
import type { MetricPoint } from '../../src-shared/domain/records';
import type { Host } from './host';

export interface MetricsReceiver {
  receive(runId: number, points: readonly MetricPoint[]): void;
}

export class MetricsHub {
  private readonly receivers = new Set<MetricsReceiver>();
  private readonly unsubscribe: () => void;

  constructor(host: Host) {
    this.unsubscribe = host.on('run/metrics', ({ runId, points }) => {
      for (const r of this.receivers) r.receive(runId, points);
    });
  }

  add(receiver: MetricsReceiver): () => void {
    this.receivers.add(receiver);
    return () => {
      this.receivers.delete(receiver);
    };
  }

  dispose(): void {
    this.unsubscribe();
    this.receivers.clear();
  }
}
