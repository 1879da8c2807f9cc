// The queue of runs: starts queued runs in workers, at most `concurrency` at once (default: one per core on CPU
// backends, one per GPU otherwise), and starts the next one whenever a worker ends. A run with a checkpoint in its
// output folder resumes from it. Review generation workers (host/review/generation-queue.ts) share the same
// concurrency: they start only when no run waits, and a run waits for a free slot like any other. Each worker is
// told its share of the cores (PEFT_LAB_THREADS = cores / concurrency, unless set already) so that workers running
// side by side do not oversubscribe the CPU with their kernels' thread pools.
import * as os from 'node:os';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import type { RunRecord } from '../../src-shared/domain/records';
import { latestCheckpoint } from '../engine/train/checkpoint';
import { RunMonitor } from './runs/run-monitor';
import { WorkerProcess, runLogFile } from './runs/supervisor';
import type { HostServices } from './services';

export class Scheduler {
  private readonly running = new Map<number, WorkerProcess>();
  private services: HostServices | null = null;
  private paused = false;
  /** Resolves when the scheduler has nothing running and nothing queued. */
  private idleWaiters: (() => void)[] = [];

  attach(s: HostServices): void {
    this.services = s;
  }

  /** Runs at once: the setting, or automatic from the backend kind. */
  concurrency(): number {
    const s = this.services!;
    const set = s.store.settings.get<number | null>('concurrency', null);
    if (set) return set;
    const backend = s.store.settings.get<string>('backend', 'auto');
    return backend === 'webgpu' || backend === 'tensorflow' ? 1 : Math.max(1, os.cpus().length);
  }

  /** Environment for a worker: the threads its native kernels may use, the cores shared out among the workers at once. */
  workerEnv(): NodeJS.ProcessEnv {
    if (process.env.PEFT_LAB_THREADS) return {};
    return { PEFT_LAB_THREADS: String(Math.max(1, Math.floor(os.availableParallelism() / this.concurrency()))) };
  }

  inFlight(): RunRecord[] {
    return [...this.running.keys()].map((id) => this.services!.store.runs.get(id)!).filter(Boolean);
  }

  isRunning(runId: number): boolean {
    return this.running.has(runId);
  }

  tick(): void {
    const s = this.services;
    if (!s || this.paused) return;
    while (this.running.size + s.generation.busy() < this.concurrency()) {
      const next = s.store.runs.nextQueued();
      if (!next) break;
      this.start(next);
    }
    if (this.running.size === 0 && !s.store.runs.nextQueued()) this.notifyIdle();
    s.generation.tick();
  }

  private start(run: RunRecord): void {
    const s = this.services!;
    const detail = s.store.runs.detail(run.id)!;
    const spec = detail.spec as RunSpec;
    const resume = latestCheckpoint(spec.output) !== null;
    const startedAt = run.startedAt ?? new Date().toISOString();
    s.bus.runUpdated(s.store.runs.update(run.id, { status: 'running', statusReason: resume ? 'resumed from its last checkpoint' : null, startedAt, error: null }));
    s.store.runEvents.add(run.id, resume ? 'status:resumed' : 'status:running', {});
    const monitor = new RunMonitor(s, run.id);
    const worker = new WorkerProcess({ kind: 'train', spec, specDir: s.dataDir, resume }, runLogFile(spec.output), {
      onMessage: (m) => monitor.onMessage(m),
      onExit: (v) => {
        this.running.delete(run.id);
        const rec = monitor.onExit(this.shuttingDown && v.status === 'stopped'
          ? { status: 'interrupted', reason: 'the app was closed while this run trained; resume continues from its last checkpoint' }
          : v);
        this.refreshSweep(run.sweepId);
        if (rec.status === 'finished' && !this.shuttingDown) s.generation.runFinished(run.sweepId);
        setImmediate(() => this.tick());
      },
    }, this.workerEnv());
    this.running.set(run.id, worker);
    this.refreshSweep(run.sweepId);
  }

  /** Stops a running run (graceful, then killed) or takes a queued one out of the queue. */
  stop(runId: number): void {
    const s = this.services!;
    const worker = this.running.get(runId);
    if (worker) {
      s.store.runEvents.add(runId, 'stop-requested', {});
      return worker.stop();
    }
    const run = s.store.runs.get(runId);
    if (run?.status === 'queued') {
      s.bus.runUpdated(s.store.runs.update(runId, { status: 'stopped', statusReason: 'taken out of the queue by you' }));
      this.refreshSweep(run.sweepId);
    }
  }

  /** Kills a worker outright (tests of fault handling use this like kill -9). */
  workerPid(runId: number): number | undefined {
    return this.running.get(runId)?.pid;
  }

  refreshSweep(sweepId: number): void {
    const s = this.services!;
    const sweep = s.store.sweeps.get(sweepId);
    if (!sweep) return;
    const c = sweep.counts;
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    const status = total === 0 ? sweep.status
      : c.running > 0 ? 'running' : c.queued > 0 ? 'queued' : c.stopped + c.interrupted > 0 ? 'stopped' : 'finished';
    const updated = status === sweep.status ? sweep : s.store.sweeps.setStatus(sweepId, status);
    s.bus.emit('sweep/updated', updated ?? sweep);
  }

  waitIdle(): Promise<void> {
    if (this.running.size === 0 && !this.services?.store.runs.nextQueued()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  /** Stops every worker (each checkpoints first) and waits; their runs are left interrupted, resumable. */
  async shutdown(): Promise<void> {
    this.paused = true;
    this.shuttingDown = true;
    const exits = [...this.running.values()].map((w) => {
      w.stop();
      return w.exited;
    });
    await Promise.all(exits);
  }

  private shuttingDown = false;
}
