// The host's side of the queue: when a queue URL is set, the scheduler hands queued runs here instead of starting
// local workers. Each run is enqueued as a BullMQ job (id "run-<id>-a<attempt>": enqueueing it twice is a no-op),
// seeded with the host's newest checkpoint of the run if it has one. One loop reads the event streams of every job
// in flight (XREAD) and applies them to SQLite, the single source of truth, and checks the jobs' states: a job put
// back by the stalled check shows the run queued again, a completed or failed one ends the run once its stream is
// drained. Nothing here lives only in memory: a host that restarts finds its jobs from the runs table and carries
// on from each stream's stored cursor; queued cells wait in Redis meanwhile.
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import type { WorkerVerdict } from '../host/runs/supervisor';
import type { HostServices } from '../host/services';
import { seedFromHost } from './checkpoints';
import { QUEUE_NAME, bullConnection, jobKeyPattern, keys, redisClient } from './config';
import type { CellJobData, CellJobResult } from './messages';
import { attemptOf, jobIdFor } from './messages';
import { RemoteRun } from './remote-run';
import type { StreamEntry } from './remote-run';
import type { RunQueueRepo } from './run-queue-repo';
import { STREAM_START, createRunQueueRepo } from './run-queue-repo';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const READ_BLOCK_MS = 500;
const STATE_CHECK_MS = 1000;
const READ_COUNT = 1000;
/** Retries of a cell whose delivery failed (crash, worker shut down): each resumes from the last uploaded checkpoint. */
const JOB_ATTEMPTS = 5;
const KEEP_FINISHED_JOBS_S = 7 * 24 * 3600;
const CLOSE_WAIT_MS = 3000;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class RemoteRuns {
  private readonly queue: Queue<CellJobData, CellJobResult>;
  private readonly redis: Redis;
  /** Blocking reads get their own connection. */
  private readonly reader: Redis;
  private readonly repo: RunQueueRepo;
  private readonly runs = new Map<number, RemoteRun>();
  private closed = false;
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;
  private readonly loop: Promise<void>;
  private lastStateCheck = 0;
  /** Cleanups of ended jobs still under way (waited for on close). */
  private readonly cleanups = new Set<Promise<void>>();

  constructor(private readonly s: HostServices, readonly url: string, private readonly onChange: () => void,
    private readonly log: (m: string) => void = (m) => process.stderr.write(`[queue] ${m}\n`)) {
    this.queue = new Queue<CellJobData, CellJobResult>(QUEUE_NAME, { connection: bullConnection(url) });
    this.queue.on('error', (e) => this.log(`queue error: ${e.message}`));
    this.redis = redisClient(url);
    this.reader = redisClient(url);
    for (const c of [this.redis, this.reader]) c.on('error', (e: Error) => this.log(`redis: ${e.message}`));
    this.repo = createRunQueueRepo(s.store.db);
    for (const r of this.repo.inFlight()) this.follow(r.runId, r.jobId, r.cursor);
    this.loop = this.run();
  }

  /** Runs followed here (enqueued, training remotely, or ending). */
  get size(): number {
    return this.runs.size;
  }

  owns(runId: number): boolean {
    return this.runs.has(runId);
  }

  /** Enqueues every queued run not yet in the queue (serialised; a call during a dispatch runs another after it). */
  dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = (async () => {
      do {
        this.dispatchAgain = false;
        for (const id of this.repo.queuedIds()) {
          if (this.closed) return;
          if (!this.runs.has(id)) await this.enqueue(id).catch((e: Error) => this.log(`could not enqueue run ${id}: ${e.message}`));
        }
      } while (this.dispatchAgain && !this.closed);
    })().finally(() => { this.dispatching = null; });
  }

  /** Stops a run: a waiting job leaves the queue, an active one is told to checkpoint and stop. */
  async stop(runId: number): Promise<void> {
    const r = this.runs.get(runId);
    if (!r) return;
    r.stopRequested = true;
    this.s.store.runEvents.add(runId, 'stop-requested', { jobId: r.jobId });
    const job = await this.queue.getJob(r.jobId);
    const state = job ? await job.getState() : 'unknown';
    if (job && state !== 'active' && LIVE_STATES.has(state)) {
      try {
        await job.remove();
        return this.end(r, { status: 'stopped' });
      } catch {
        /* taken by a worker meanwhile: stop it there */
      }
    }
    await this.redis.set(keys.stop(r.jobId), '1', 'EX', KEEP_FINISHED_JOBS_S);
  }

  /** Stops following (jobs go on in Redis; a host started later re-attaches). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.race([Promise.allSettled([...this.cleanups]), delay(CLOSE_WAIT_MS)]);
    // Disconnecting fails the commands in flight (a blocking read, or any command while Redis is unreachable),
    // so the loop ends promptly; entries it had not stored yet are read again by the next host.
    this.reader.disconnect();
    this.redis.disconnect();
    const settled = Promise.allSettled([this.dispatching, this.loop]);
    await Promise.race([settled, delay(CLOSE_WAIT_MS)]);
    await Promise.race([this.queue.close().catch(() => undefined), delay(CLOSE_WAIT_MS)]);
  }

  private follow(runId: number, jobId: string, cursor: string): RemoteRun {
    const run = this.s.store.runs.detail(runId)!;
    const r = new RemoteRun(this.s, this.repo, runId, run.sweepId, jobId, cursor, (run.spec as RunSpec).output);
    this.runs.set(runId, r);
    return r;
  }

  private async enqueue(runId: number): Promise<void> {
    const prev = this.repo.job(runId).jobId;
    if (prev && LIVE_STATES.has(await this.queue.getJobState(prev))) {
      this.follow(runId, prev, this.repo.job(runId).cursor);
      return;
    }
    const attempt = prev ? (attemptOf(prev)?.attempt ?? 0) + 1 : 1;
    const jobId = jobIdFor(runId, attempt);
    const detail = this.s.store.runs.detail(runId);
    if (!detail || detail.status !== 'queued') return;
    const spec = detail.spec as RunSpec;
    const resumeStep = await seedFromHost(this.redis, jobId, spec.output);
    // Added before it is recorded: a host that dies in between computes the same job id next time, and adding it
    // again is a no-op. Followed only once it exists, so the state check never sees it missing.
    await this.queue.add('cell', { runId, attempt, label: detail.label, spec }, {
      jobId, attempts: JOB_ATTEMPTS, backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: KEEP_FINISHED_JOBS_S }, removeOnFail: { age: KEEP_FINISHED_JOBS_S },
    });
    this.repo.setJob(runId, jobId);
    this.follow(runId, jobId, STREAM_START);
    this.s.store.runEvents.add(runId, 'queue:enqueued', { jobId, resumeStep });
    this.s.bus.runUpdated(this.s.store.runs.update(runId, { statusReason: 'waiting for a queue worker' }));
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.runs.size === 0) await delay(READ_BLOCK_MS);
        else await this.readOnce();
        if (Date.now() - this.lastStateCheck >= STATE_CHECK_MS) {
          this.lastStateCheck = Date.now();
          await this.checkStates();
        }
      } catch (e) {
        if (this.closed) break;
        this.log(`following the queue: ${(e as Error).message}`);
        await delay(1000);
      }
    }
  }

  private async readOnce(): Promise<void> {
    const list = [...this.runs.values()];
    const res = await this.reader.xread('COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS',
      ...list.map((r) => keys.events(r.jobId)), ...list.map((r) => r.cursor)) as [string, StreamEntry[]][] | null;
    for (const [key, entries] of res ?? []) {
      const r = list.find((x) => keys.events(x.jobId) === key);
      if (r && this.runs.get(r.runId) === r) await r.apply(this.redis, entries);
    }
  }

  /** Everything left in a job's stream, applied. */
  private async drain(r: RemoteRun): Promise<void> {
    for (;;) {
      const entries = await this.redis.xrange(keys.events(r.jobId), `(${r.cursor}`, '+', 'COUNT', READ_COUNT) as StreamEntry[];
      if (entries.length === 0) return;
      await r.apply(this.redis, entries);
    }
  }

  private async checkStates(): Promise<void> {
    for (const r of [...this.runs.values()]) {
      const state = await this.queue.getJobState(r.jobId);
      if (state === 'completed' || state === 'failed' || state === 'unknown') await this.settle(r, state);
      else r.reconcile(state);
    }
  }

  /** A job that is over: its stream applied to the end, then the run's final status from BullMQ's verdict. */
  private async settle(r: RemoteRun, state: 'completed' | 'failed' | 'unknown'): Promise<void> {
    await this.drain(r);
    const job = state === 'unknown' ? undefined : await this.queue.getJob(r.jobId);
    let verdict: WorkerVerdict;
    if (state === 'completed') {
      verdict = job?.returnvalue?.status === 'finished' ? { status: 'finished' } : { status: 'stopped' };
    } else if (state === 'failed') {
      const last = r.lastVerdict;
      verdict = last?.status === 'failed' ? { status: 'failed', error: last.error }
        : { status: 'interrupted', reason: `the queue gave up on it: ${job?.failedReason ?? 'unknown reason'}; resume to enqueue it again` };
    } else {
      verdict = { status: 'interrupted', reason: `its queue job ${r.jobId} is gone from Redis (flushed?); resume to enqueue it again` };
    }
    this.end(r, verdict);
  }

  private end(r: RemoteRun, verdict: WorkerVerdict): void {
    const rec = r.finish(verdict);
    if (r.staleEntries > 0) this.s.store.runEvents.add(r.runId, 'queue:stale-entries', { ignored: r.staleEntries });
    this.runs.delete(r.runId);
    const cleanup = this.dropKeys(r.jobId).finally(() => this.cleanups.delete(cleanup));
    this.cleanups.add(cleanup);
    this.s.scheduler.refreshSweep(r.sweepId);
    if (rec.status === 'finished') this.s.generation.runFinished(r.sweepId);
    this.onChange();
  }

  /** The job's stream and uploaded artifacts, once the host holds what it needs (the BullMQ job itself stays a while). */
  private async dropKeys(jobId: string): Promise<void> {
    try {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await this.redis.scan(cursor, 'MATCH', jobKeyPattern(jobId), 'COUNT', 200);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      if (found.length) await this.redis.del(...found);
    } catch (e) {
      this.log(`could not clean up ${jobId}: ${(e as Error).message}`);
    }
  }
}
