// A headless queue worker (`peft-lab worker --queue redis://…`): takes cells from the BullMQ queue, trains each one
// with the same engine as the desktop (one run-worker child process per cell, host/runs/supervisor.ts), and
// streams the child's messages into the job's Redis stream. Checkpoints and the final adapter are uploaded through
// Redis as they are written, so a cell taken back from a vanished worker resumes elsewhere from its last uploaded
// checkpoint. The BullMQ lock is the lease: renewed while this process lives, lost when it dies or is cut off.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Job } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BackendChoice } from '../../src-shared/domain/run-spec';
import { isPeftLabError } from '../../src-shared/errors';
import type { WorkerToHost } from '../../src-shared/protocol/worker';
import { WorkerProcess, runLogFile } from '../host/runs/supervisor';
import type { WorkerVerdict } from '../host/runs/supervisor';
import { uploadFolder } from './artifacts';
import type { LeaseOptions } from './config';
import { QUEUE_NAME, bullConnection, keys, redisClient } from './config';
import { restoreLatestCheckpoint, saveLatestCheckpoint } from './checkpoints';
import type { CellJobData, CellJobResult, RemoteMessage } from './messages';
import { parseCellJob } from './messages';

export interface QueueWorkerOptions {
  url: string;
  /** Cells trained at once by this process (one child each). */
  concurrency: number;
  /** Overrides the backend of every cell (a GPU box may say webgpu where the host planned wasm). */
  backend?: BackendChoice;
  /** Shown in the host's runs table; unique per process. */
  name: string;
  /** Where cells train; each delivery gets its own folder, removed when the cell is done. */
  workDir: string;
  lease: LeaseOptions;
  log(message: string): void;
}

const STOP_POLL_MS = 1000;

/** One cell being trained here. */
interface Delivery {
  proc: WorkerProcess;
  stopRequested: boolean;
}

export class QueueWorker {
  private readonly bull: Worker<CellJobData, CellJobResult>;
  private readonly redis: Redis;
  private readonly active = new Map<string, Delivery>();
  private closing = false;

  constructor(private readonly o: QueueWorkerOptions) {
    fs.mkdirSync(o.workDir, { recursive: true });
    this.redis = redisClient(o.url);
    this.bull = new Worker<CellJobData, CellJobResult>(QUEUE_NAME, (job, token) => this.process(job, token ?? ''), {
      connection: bullConnection(o.url), name: o.name, concurrency: o.concurrency,
      lockDuration: o.lease.lockMs, stalledInterval: o.lease.stalledIntervalMs, maxStalledCount: o.lease.maxStalledCount,
      drainDelay: 1,
    });
    this.bull.on('error', (err) => {
      // The lease ran out under us (network cut, long pause): another worker may have the cell now; stop ours.
      const lost = /could not renew lock for job (\S+)/.exec(err.message);
      if (lost) {
        const d = this.active.get(lost[1]);
        o.log(`lost the lease on ${lost[1]}; stopping it here (another worker takes it from its last checkpoint)`);
        d?.proc.stop();
      } else {
        o.log(`queue error: ${err.message}`);
      }
    });
  }

  /** Resolves once connected to Redis and ready to take cells. */
  async ready(): Promise<void> {
    await this.bull.waitUntilReady();
    await this.redis.ping();
  }

  /** Graceful stop: every cell here checkpoints, uploads and goes back to the queue; then the connections close. */
  async close(): Promise<void> {
    this.closing = true;
    for (const d of this.active.values()) d.proc.stop();
    await this.bull.close();
    this.redis.disconnect();
  }

  private async process(job: Job<CellJobData, CellJobResult>, token: string): Promise<CellJobResult> {
    const jobId = job.id!;
    let data: CellJobData;
    try {
      data = parseCellJob(job.data, jobId);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
    const dir = path.join(this.o.workDir, jobId.replace(/[^A-Za-z0-9.-]/g, '_'));
    fs.rmSync(dir, { recursive: true, force: true });
    const spec = { ...data.spec, output: dir, backend: this.o.backend ?? data.spec.backend };
    const resumeStep = await restoreLatestCheckpoint(this.redis, jobId, dir);
    const send = (m: RemoteMessage) => this.redis.xadd(keys.events(jobId), '*', 'm', JSON.stringify(m));
    await send({ kind: 'claim', token, worker: this.o.name, resumeStep });
    this.o.log(`${jobId} (${data.label}): ${resumeStep ? `resuming from step ${resumeStep}` : 'starting'}`);

    let chain: Promise<unknown> = Promise.resolve();
    let uploadError: unknown = null;
    const forward = async (m: WorkerToHost): Promise<void> => {
      if (m.kind === 'event' && m.event.type === 'checkpoint') {
        const { key, bytes } = await saveLatestCheckpoint(this.redis, jobId, m.event.step, m.event.path);
        await send({ kind: 'artifact', token, artifact: 'checkpoint', step: m.event.step, key, bytes });
      } else if (m.kind === 'event' && m.event.type === 'finished') {
        const e = m.event;
        const files = fs.readdirSync(e.adapterPath).filter((n) => n !== 'worker.log');
        const bytes = await uploadFolder(this.redis, keys.adapter(jobId), e.adapterPath, files);
        await send({ kind: 'artifact', token, artifact: 'adapter', step: e.step, key: keys.adapter(jobId), bytes, finished: { finalLoss: e.finalLoss, valLoss: e.valLoss, seconds: e.seconds } });
      } else {
        await send({ kind: 'run', token, message: m });
      }
    };
    const delivery: Delivery = { proc: null as unknown as WorkerProcess, stopRequested: false };
    delivery.proc = new WorkerProcess({ kind: 'train', spec, specDir: dir, resume: resumeStep !== null }, runLogFile(dir), {
      onMessage: (m) => {
        chain = chain.then(() => forward(m)).catch((e: unknown) => {
          uploadError ??= e;
          delivery.proc.stop();
        });
      },
      onExit: () => undefined,
    }, this.childEnv());
    this.active.set(jobId, delivery);
    if (this.closing) delivery.proc.stop();
    const poll = setInterval(() => {
      void this.redis.exists(keys.stop(jobId)).then((n) => {
        if (n > 0 && !delivery.stopRequested) {
          delivery.stopRequested = true;
          delivery.proc.stop();
        }
      }, () => undefined);
    }, STOP_POLL_MS);
    let verdict: WorkerVerdict;
    try {
      verdict = await delivery.proc.exited;
      await chain;
    } finally {
      clearInterval(poll);
      this.active.delete(jobId);
    }
    return this.settle(jobId, token, dir, verdict, delivery, uploadError, send);
  }

  /** Reports how the delivery ended and turns it into the job's outcome: done, failed for good, or retried. */
  private async settle(jobId: string, token: string, dir: string, verdict: WorkerVerdict, d: Delivery, uploadError: unknown,
    send: (m: RemoteMessage) => Promise<unknown>): Promise<CellJobResult> {
    if (uploadError) {
      const message = `uploading an artifact failed: ${(uploadError as Error).message}`;
      await send({ kind: 'verdict', token, verdict: { status: 'interrupted', reason: message } });
      if (isPeftLabError(uploadError)) throw new UnrecoverableError(message);
      throw new Error(message);
    }
    await send({ kind: 'verdict', token, verdict });
    const step = Number(await this.redis.get(keys.latestCheckpoint(jobId)).then((v) => (v ? JSON.parse(v).step : 0)));
    this.o.log(`${jobId}: ${verdict.status}${verdict.status === 'interrupted' ? ` (${verdict.reason})` : ''}`);
    switch (verdict.status) {
      case 'finished':
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: 'finished', worker: this.o.name, step };
      case 'failed':
        throw new UnrecoverableError(verdict.error.message);
      case 'stopped':
        if (d.stopRequested) return { status: 'stopped', worker: this.o.name, step };
        throw new Error(`worker ${this.o.name} shut down; the cell goes back to the queue and resumes from step ${step}`);
      case 'interrupted':
        throw new Error(verdict.reason);
    }
  }

  /** Each child gets its share of this machine's cores (as the host's scheduler does for local runs). */
  private childEnv(): NodeJS.ProcessEnv {
    if (process.env.PEFT_LAB_THREADS) return {};
    return { PEFT_LAB_THREADS: String(Math.max(1, Math.floor(os.availableParallelism() / this.o.concurrency))) };
  }
}
