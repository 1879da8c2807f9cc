// Host → client events. Every connection subscribes; run updates and metric points are coalesced per run and
// pushed at most every `intervalMs`, so a fast run cannot flood the renderer.
import type { EventName, Events } from '../../src-shared/protocol/api';
import type { MetricPoint, RunRecord } from '../../src-shared/domain/records';

type Listener = (name: EventName, payload: unknown) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly pendingRuns = new Map<number, RunRecord>();
  private readonly pendingMetrics = new Map<number, MetricPoint[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 250) {}

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const l of this.listeners) l(name, payload);
  }

  /** Coalesced: only the newest record of a run per interval is pushed. */
  runUpdated(run: RunRecord): void {
    this.pendingRuns.set(run.id, run);
    this.schedule();
  }

  runMetrics(runId: number, points: MetricPoint[]): void {
    const list = this.pendingMetrics.get(runId);
    if (list) list.push(...points);
    else this.pendingMetrics.set(runId, [...points]);
    this.schedule();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [runId, points] of this.pendingMetrics) this.emit('run/metrics', { runId, points });
    this.pendingMetrics.clear();
    for (const run of this.pendingRuns.values()) this.emit('run/updated', run);
    this.pendingRuns.clear();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }
}
