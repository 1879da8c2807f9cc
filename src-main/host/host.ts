// The host: the same code in the desktop (an Electron utilityProcess), in web mode (behind the web server) and
// in the CLI (in-process). It owns the store (the only writer), the scheduler of run workers and the event bus,
// and serves any number of connections over any Transport.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientMessage, ServerMessage, Transport } from '../../src-shared/protocol/wire';
import type { BackendsReport } from '../../src-shared/protocol/worker';
import { openStore } from '../store/db';
import { MetricWriter } from '../store/metric-writer';
import { serveConnection } from './dispatcher';
import { EventBus } from './event-bus';
import { handlers } from './handlers/index';
import { runShortJob } from './runs/short-job';
import { Scheduler } from './scheduler';
import { GenerationQueue } from './review/generation-queue';
import type { HostServices } from './services';
import { applyQueueSetting } from '../queue/host-setting';

export interface HostCore {
  /** Serves one connection until it closes; returns a detach function. */
  attach(transport: Transport<ClientMessage, ServerMessage>): () => void;
  /** Runs in flight (for the quit confirmation). */
  inFlight(): { runs: number; labels: string[] };
  /** Event-loop delay of the host since start (ms): what a person would feel as UI lag. */
  eventLoopLag(): { p50: number; p99: number; max: number };
  services: HostServices;
  shutdown(): Promise<void>;
}

export interface HostOptions {
  dataDir: string;
  mode: 'desktop' | 'web' | 'cli';
  log?: (message: string) => void;
}

export async function createHost(opts: HostOptions): Promise<HostCore> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const log = opts.log ?? ((m: string) => process.stderr.write(`[host] ${m}\n`));
  const store = openStore(path.join(opts.dataDir, 'peft-lab.db'));
  const bus = new EventBus();
  const scheduler = new Scheduler();
  const metrics = new MetricWriter(store, { onError: (err, runId, dropped) => scheduler.metricsDropped(err, runId, dropped) });
  let backends: Promise<BackendsReport> | null = null;
  // The histogram records the interval between 10 ms ticks; the lag a person feels is what exceeds 10 ms.
  const RESOLUTION_MS = 10;
  const lag = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  lag.enable();
  const excess = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  const s: HostServices = {
    // generation is set right below: the queue needs these services.
    store, metrics, bus, scheduler, generation: undefined as unknown as GenerationQueue, dataDir: opts.dataDir, mode: opts.mode,
    backends: () => (backends ??= runShortJob({ kind: 'backends' }, 'backends').then((m) => m.report).catch((e) => {
      backends = null;
      throw e;
    })),
    dataStatsCache: new Map(), probeCache: new Map(),
    eventLoopLag: () => ({ p50: excess(lag.percentile(50)), p99: excess(lag.percentile(99)), max: excess(lag.max) }),
  };
  s.generation = new GenerationQueue(s);
  scheduler.attach(s);
  applyQueueSetting(s); // remote workers, when a queue URL is set: re-attaches to the runs in its queue
  scheduler.tick(); // runs queued before a restart go on
  return {
    services: s,
    attach: (transport) => serveConnection(transport, handlers, s, log),
    inFlight: () => {
      const runs = scheduler.inFlight();
      return { runs: runs.length, labels: runs.map((r) => r.label) };
    },
    eventLoopLag: s.eventLoopLag,
    shutdown: async () => {
      await Promise.all([scheduler.shutdown(), s.generation.shutdown()]);
      bus.flush();
      metrics.close();
      lag.disable();
      store.close();
    },
  };
}
