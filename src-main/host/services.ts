// What every handler of the host can reach: the store (the only writer), the metric writer, the event bus, the
// scheduler of run workers, and a few caches. One instance per host.
import type { Store } from '../store/db';
import type { MetricWriter } from '../store/metric-writer';
import type { BackendsReport, DataStats } from '../../src-shared/protocol/worker';
import type { EventBus } from './event-bus';
import type { Scheduler } from './scheduler';
import type { GenerationQueue } from './review/generation-queue';

export interface HostServices {
  store: Store;
  metrics: MetricWriter;
  bus: EventBus;
  scheduler: Scheduler;
  /** Review generation jobs (share the scheduler's concurrency). */
  generation: GenerationQueue;
  dataDir: string;
  mode: 'desktop' | 'web' | 'cli';
  /** Backend probe, done once in a worker (the host never loads GPU drivers itself). */
  backends(): Promise<BackendsReport>;
  /** Data statistics per (dataset, template, sequence, training) key. */
  dataStatsCache: Map<string, DataStats>;
  /** Seconds per update measured by probes, per (model, cell, batch) key. */
  probeCache: Map<string, number>;
  /** Event-loop delay of the host since it started, in ms (what a person feels as UI lag). */
  eventLoopLag(): { p50: number; p99: number; max: number };
}
