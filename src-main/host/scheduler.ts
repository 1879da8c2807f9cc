// The queue of runs: starts queued runs in workers, at most `concurrency` at once (default: one per core on CPU
// backends, one per GPU otherwise), and starts the next one whenever a worker ends. A run with a checkpoint in its
// output folder resumes from it. Review generation workers (host/review/generation-queue.ts) share the same
// concurrency: they start only when no run waits, and a run waits for a free slot like any other. Each worker is
// told its share of the cores (PEFT_LAB_THREADS = cores / concurrency, unless set already) so that workers running
// side by side do not oversubscribe the CPU with their kernels' thread pools.
import * as os from 'node:os';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import type { RunRecord } from '../../src-shared/domain/records';
import { PeftLabError } from '../../src-shared/errors';
import { storageError, storageProblem } from '../engine/storage-errors';
import { latestCheckpoint } from '../engine/train/checkpoint';
import { RunMonitor } from './runs/run-monitor';
import { WorkerProcess, runLogFile } from './runs/supervisor';
import type { WorkerVerdict } from './runs/supervisor';
import type { HostServices } from './services';
import type { RemoteRuns } from '../queue/remote-runs';

export class Scheduler {
  private readonly running = new Map<number, WorkerProcess>();
  private services: HostServices | null = null;
  private paused = false;
  /** Resolves when the scheduler has nothing running and nothing queued. */
  private idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

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
    if (this.storageFault && this.running.size === 0) this.notifyIdle();
    if (!s || this.paused) return;
    if (this.remote) this.remote.dispatch();
    else while (!this.paused && this.running.size + s.generation.busy() < this.concurrency()) {
      const next = s.store.runs.nextQueued();
      if (!next) break;
      this.guardStorage(() => this.start(next));
    }
    if (this.running.size === 0 && !s.store.runs.nextQueued() && !this.remote?.size) this.notifyIdle();
    s.generation.tick();
  }

  private start(run: RunRecord): void {
    const s = this.services!;
    const detail = s.store.runs.detail(run.id)!;
    const spec = detail.spec as RunSpec;
    // Never past the last update whose metrics are stored: a host killed with metrics unwritten would leave a gap.
    const resumeAtMost = s.store.metrics.lastStep(run.id) ?? 0;
    const resume = latestCheckpoint(spec.output, resumeAtMost) !== null;
    const startedAt = run.startedAt ?? new Date().toISOString();
    s.bus.runUpdated(s.store.runs.update(run.id, { status: 'running', statusReason: resume ? 'resumed from its last checkpoint' : null, startedAt, error: null }));
    s.store.runEvents.add(run.id, resume ? 'status:resumed' : 'status:running', {});
    const monitor = new RunMonitor(s, run.id);
    const worker = new WorkerProcess({ kind: 'train', spec, specDir: s.dataDir, resume, resumeAtMost }, runLogFile(spec.output), {
      onMessage: (m) => this.guardStorage(() => monitor.onMessage(m)),
      onExit: (v) => {
        this.running.delete(run.id);
        this.guardStorage(() => {
          const rec = monitor.onExit(v.status !== 'stopped' ? resumableStorageFailure(v)
            : this.storageFault ? { status: 'interrupted', reason: this.storageFault.message }
              : this.shuttingDown ? { status: 'interrupted', reason: 'the app was closed while this run trained; resume continues from its last checkpoint' } : v);
          this.refreshSweep(run.sweepId);
          if (rec.status === 'finished' && !this.shuttingDown) s.generation.runFinished(run.sweepId);
        });
        setImmediate(() => this.tick());
      },
    }, this.workerEnv());
    this.running.set(run.id, worker);
    this.refreshSweep(run.sweepId);
  }

  /** Stops a running run (graceful, then killed) or takes a queued one out of the queue. */
  stop(runId: number): void {
    const s = this.services!;
    if (this.remote?.owns(runId)) return void this.remote.stop(runId);
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

  /** Resolves when nothing runs and nothing waits; rejects (once every worker has stopped) after a storage failure. */
  waitIdle(): Promise<void> {
    if (this.storageFault && this.running.size === 0) return Promise.reject(this.storageFault);
    if (this.running.size === 0 && !this.services?.store.runs.nextQueued() && !this.remote?.size) return Promise.resolve();
    return new Promise((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) {
      if (this.storageFault) r.reject(this.storageFault);
      else r.resolve();
    }
  }

  /** Runs `fn` (a store write on behalf of a worker); a disk-full or read-only failure stops the queue instead of
   *  crashing the host: nothing more is started, running workers stop with a checkpoint, waitIdle rejects. */
  private guardStorage(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const e = storageError(err, this.services!.dataDir, 'resume the sweep: its runs continue from their last checkpoints');
      if (!(e instanceof PeftLabError) || storageProblem(e) === null) throw err;
      if (this.storageFault) return;
      this.storageFault = e;
      this.paused = true;
      process.stderr.write(`peft-lab: ${e.message}\n`);
      for (const w of this.running.values()) w.stop();
      if (this.running.size === 0) this.notifyIdle();
    }
  }

  private storageFault: PeftLabError | null = null;

  /** The metric writer could not store points of a run: a full or read-only disk stops the queue (as above). */
  metricsDropped(err: unknown, runId: number, dropped: number): void {
    const storage = storageProblem(storageError(err, this.services?.dataDir ?? '.')) !== null;
    console.error(`metric writer: dropped ${dropped} point(s) of run ${runId}:`, storage ? (err as Error).message : err);
    if (storage) this.guardStorage(() => { throw err; });
  }

  /** Stops every worker (each checkpoints first) and waits; their runs are left interrupted, resumable. */
  async shutdown(): Promise<void> {
    this.paused = true;
    this.shuttingDown = true;
    const exits = [...this.running.values()].map((w) => {
      w.stop();
      return w.exited;
    });
    await Promise.all([...exits, this.remote?.close()]);
  }

  private shuttingDown = false;

  /** Runs handed to the distributed queue instead of local workers (src-main/queue), while a queue URL is set. */
  private remote: RemoteRuns | null = null;

  get remoteRuns(): RemoteRuns | null {
    return this.remote;
  }

  /** Queued runs go to `r` from now on (null: to local workers again); a previous queue stops being followed. */
  useRemote(r: RemoteRuns | null): void {
    const old = this.remote;
    this.remote = r;
    if (old && old !== r) void old.close();
  }
}

/** A run that failed only because its folder filled up or became read-only kept its last checkpoint: interrupted
 *  (resumable once there is space), with the error's message as the reason. */
function resumableStorageFailure(v: WorkerVerdict): WorkerVerdict {
  return v.status === 'failed' && (v.error.code === 'DISK_FULL' || v.error.code === 'FOLDER_NOT_WRITABLE')
    ? { status: 'interrupted', reason: v.error.message } : v;
}
