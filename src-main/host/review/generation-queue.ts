// Review generation jobs of the host: a small queue beside the training scheduler that shares its concurrency
// (training goes first), runs each planned job in a worker process (never on the host's event loop), stores every
// sample the worker sends, and pushes the text of outputs while they are written (coalesced every 100 ms).
import type { GenerationStatus } from '../../../src-shared/domain/review-views';
import type { TokenChunk } from '../../../src-shared/protocol/api';
import type { GenerateJob, GenerateTarget, WorkerToHost } from '../../../src-shared/protocol/worker';
import { errorFromWire } from '../../../src-shared/errors';
import { planGeneration } from '../../review/generation-plan';
import { scored } from '../../review/matrix';
import { WorkerProcess } from '../runs/supervisor';
import type { HostServices } from '../services';

const TOKEN_FLUSH_MS = 100;

interface Active { sweepId: number; worker: WorkerProcess | null; stopped: boolean }

export class GenerationQueue {
  private readonly pending: { sweepId: number; force: boolean }[] = [];
  private readonly active = new Map<number, Active>();
  private readonly statuses = new Map<number, GenerationStatus>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly s: HostServices) {}

  status(sweepId: number): GenerationStatus {
    return this.statuses.get(sweepId) ?? { sweepId, state: 'idle', done: 0, total: 0, error: null };
  }

  /** Queues a sweep (merged with a pending request of the same sweep); returns its status. */
  request(sweepId: number, force = false): GenerationStatus {
    const queued = this.pending.find((p) => p.sweepId === sweepId);
    if (queued) queued.force ||= force;
    else this.pending.push({ sweepId, force });
    if (!this.active.has(sweepId)) this.setStatus({ sweepId, state: 'queued', done: 0, total: 0, error: null });
    this.tick();
    return this.status(sweepId);
  }

  /** After a run finished training: generate its outputs when the sweep reviews them automatically. */
  runFinished(sweepId: number): void {
    const settings = this.s.store.sweeps.reviewSettingsOrDefault(sweepId);
    if (settings.afterTraining && this.s.store.reviewPrompts.list(sweepId).length > 0) this.request(sweepId);
  }

  /** Sweeps generating now, one worker each (they take slots of the scheduler's concurrency). */
  busy(): number {
    return this.active.size;
  }

  tick(): void {
    if (this.closed) return;
    const sch = this.s.scheduler;
    while (this.pending.length > 0 && !this.s.store.runs.nextQueued() && sch.inFlight().length + this.active.size < sch.concurrency()) {
      const idx = this.pending.findIndex((p) => !this.active.has(p.sweepId));
      if (idx < 0) break;
      const [next] = this.pending.splice(idx, 1);
      void this.runSweep(next.sweepId, next.force);
    }
    if (this.active.size === 0 && this.pending.length === 0) this.notifyIdle();
  }

  waitIdle(): Promise<void> {
    if (this.active.size === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    const exits = [...this.active.values()].map((a) => {
      a.stopped = true;
      a.worker?.stop();
      return a.worker?.exited;
    });
    await Promise.all(exits);
  }

  private async runSweep(sweepId: number, force: boolean): Promise<void> {
    const active: Active = { sweepId, worker: null, stopped: false };
    this.active.set(sweepId, active);
    try {
      const jobs = this.plan(sweepId, force);
      const total = jobs.reduce((n, j) => n + j.targets.reduce((m, t) => m + t.promptIds.length, 0), 0);
      const status = { sweepId, state: 'running' as const, done: 0, total, error: null };
      this.setStatus(status);
      for (const job of jobs) {
        if (active.stopped) break;
        await this.runJob(active, job, () => this.setStatus({ ...status, done: ++status.done }));
      }
      this.setStatus({ ...status, state: 'idle' });
    } catch (e) {
      this.setStatus({ ...this.status(sweepId), state: 'failed', error: (e as Error).message });
    } finally {
      this.active.delete(sweepId);
      setImmediate(() => {
        this.s.scheduler.tick();
        this.tick();
      });
    }
  }

  private plan(sweepId: number, force: boolean): GenerateJob[] {
    const st = this.s.store;
    const sweep = st.sweeps.get(sweepId);
    if (!sweep) return [];
    const runs = st.runs.list({ sweepId }).filter((r) => r.status === 'finished').map((r) => st.runs.detail(r.id)!);
    return planGeneration({
      spec: sweep.spec, runs, prompts: st.reviewPrompts.list(sweepId), samples: st.samples.listBySweep(sweepId),
      settings: st.sweeps.reviewSettingsOrDefault(sweepId), force,
    });
  }

  private runJob(active: Active, job: GenerateJob, stored: () => void): Promise<void> {
    const targets = new Map(job.targets.map((t) => [t.key, t]));
    const tokens = new TokenBuffer((chunks) => this.s.bus.emit('review/tokens', { sweepId: active.sweepId, chunks }));
    let failure: Error | null = null;
    let done = false;
    return new Promise((resolve, reject) => {
      active.worker = new WorkerProcess({ kind: 'generate', job }, null, {
        onMessage: (m: WorkerToHost) => {
          if (m.kind === 'gen-token') tokens.add(targets.get(m.target)!, m.promptId, m.delta);
          else if (m.kind === 'gen-sample') {
            tokens.flush();
            this.store(active.sweepId, job, targets.get(m.sample.target)!, m.sample);
            stored();
          } else if (m.kind === 'gen-done') done = true;
          else if (m.kind === 'job-failed') failure = errorFromWire(m.error);
        },
        onExit: (v) => {
          tokens.flush();
          active.worker = null;
          if (done || active.stopped) resolve();
          else reject(failure ?? new Error(`the generation worker ended early: ${v.status === 'interrupted' ? v.reason : v.status}`));
        },
      }, this.s.scheduler.workerEnv());
    });
  }

  private store(sweepId: number, job: GenerateJob, t: GenerateTarget, g: Extract<WorkerToHost, { kind: 'gen-sample' }>['sample']): void {
    const rec = this.s.store.samples.insert({
      sweepId, runId: t.runId, promptId: g.promptId, prompt: g.prompt, output: g.output, step: t.step,
      meta: { ...job.decoding, kind: t.kind, stopReason: g.stopReason, promptTokens: g.promptTokens, base: g.base },
      tokensPerSecond: g.tokensPerSecond, length: g.tokens,
    });
    this.s.bus.emit('review/sample', scored(rec, this.s.store.reviewPrompts.get(g.promptId)?.reference ?? null));
  }

  private setStatus(st: GenerationStatus): void {
    this.statuses.set(st.sweepId, st);
    this.s.bus.emit('review/generation', st);
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }
}

/** Coalesces streamed text per (target, prompt) and pushes it at most every 100 ms. */
class TokenBuffer {
  private readonly chunks = new Map<string, TokenChunk>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly push: (chunks: TokenChunk[]) => void) {}

  add(t: GenerateTarget, promptId: number, text: string): void {
    const k = `${t.key}|${promptId}`;
    const c = this.chunks.get(k);
    if (c) c.text += text;
    else this.chunks.set(k, { runId: t.runId, promptId, step: t.step, kind: t.kind, text });
    this.timer ??= setTimeout(() => this.flush(), TOKEN_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.chunks.size === 0) return;
    this.push([...this.chunks.values()]);
    this.chunks.clear();
  }
}
