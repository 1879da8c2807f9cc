// Scale-out through the queue, on one machine: Redis started here on 127.0.0.1, a host with remote workers set,
// and three `peft-lab worker` processes. A 6-cell sweep of the tiny model is enqueued, the host restarts (the cells
// wait in Redis), one worker is killed with SIGKILL mid-run and another cell is stopped and resumed by hand; every
// cell still ends exactly once, finished, with every step's loss stored once; the killed cell resumed on another
// worker from its last uploaded checkpoint, the stopped one as a second attempt from the host's copy of its own.
// Before that, a stream written by hand checks the host's side alone: a point delivered twice is stored once, and
// entries of a delivery that lost its lease are ignored.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/domain/records';
import { QUEUE_NAME, keys } from '../../src-main/queue/config';
import { jobIdFor } from '../../src-main/queue/messages';
import type { CellJobData, RemoteMessage } from '../../src-main/queue/messages';
import { startHost, tinySweep, until, writeTinyStudy } from '../host/helpers';
import { REDIS_SERVER, redisInstalled, startRedis } from './redis-server';
import type { TestRedis } from './redis-server';
import { startWorker } from './workers';
import type { QueueWorkerProcess } from './workers';

const HAS_REDIS = redisInstalled();
if (!HAS_REDIS) console.warn(`test/queue skipped: ${REDIS_SERVER} is not installed (apt-get install redis-server; scripts/setup.sh does)`);

// Short leases so a vanished worker's cell is taken back within seconds (the defaults are 30 s / 15 s).
// Each update waits 150 ms (engine/fault-hook.ts) so a stop and a kill land mid-run however fast the tiny model trains.
const WORKER_ENV = { PEFT_LAB_QUEUE_LOCK_MS: '4000', PEFT_LAB_QUEUE_STALLED_MS: '2000', PEFT_LAB_THREADS: '1', PEFT_LAB_STEP_DELAY_MS: '150' };
const MAX_STEPS = 24;

describe.skipIf(!HAS_REDIS)('a sweep through the queue', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-queue-'));
  let redis: TestRedis;
  let study: Awaited<ReturnType<typeof writeTinyStudy>>;
  let workers: QueueWorkerProcess[] = [];
  let queue: Queue<CellJobData>;

  beforeAll(async () => {
    study = await writeTinyStudy(root);
    redis = await startRedis(path.join(root, 'redis'));
    queue = new Queue<CellJobData>(QUEUE_NAME, { connection: { url: redis.url, maxRetriesPerRequest: null } });
  });
  afterAll(async () => {
    for (const w of workers) w.killHard();
    await queue?.close();
    await redis?.stop();
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('stores a point delivered twice once, and ignores a delivery that lost its lease', async () => {
    const h = await startHost(path.join(root, 'host-stream'));
    const raw = new Redis(redis.url);
    try {
      await h.client.request('settings/set', { queueUrl: redis.url });
      const spec = tinySweep(study, { name: 'by hand', axes: { r: [2], targets: [{ preset: 'attention-qv' }] } });
      const sweep = await h.client.request('sweeps/create', { spec, launch: true });
      const [run] = (await h.client.request('sweeps/get', { id: sweep.id })).runs;
      const jobId = jobIdFor(run.id, 1);
      await until('the cell in the queue', async () => (await queue.getJobState(jobId)) === 'waiting');
      const step = (token: string, n: number, loss: number): RemoteMessage => ({ kind: 'run', token, message: { kind: 'event', event: {
        type: 'step', step: n, loss, lr: 0.01, gradNorm: 1, tokens: 10, tokensPerSecond: 100, epoch: 0, seconds: 0.1 } } });
      const entries: RemoteMessage[] = [
        { kind: 'claim', token: 'A', worker: 'box-a', resumeStep: null },
        step('A', 1, 3.0), step('A', 2, 2.5), step('A', 2, 2.5), // the same point twice
        { kind: 'claim', token: 'B', worker: 'box-b', resumeStep: 1 },
        step('B', 2, 2.25),
        step('A', 3, 9.9), // box-a, cut off, still training: its lease is gone
      ];
      for (const m of entries) await raw.xadd(keys.events(jobId), '*', 'm', JSON.stringify(m));
      const series = await until('both deliveries applied', async () => {
        const [s] = await h.client.request('metrics/series', { runIds: [run.id], names: ['train_loss'], maxPoints: 1000 });
        return s.points.length === 2 && s.points[1][1] === 2.25 ? s.points : null;
      }, 20_000);
      expect(series.map((p) => [p[0], p[1]])).toEqual([[1, 3.0], [2, 2.25]]);
      expect(h.host.services.store.metrics.count(run.id, 'train_loss')).toBe(2);
      expect((await h.client.request('runs/get', { id: run.id })).worker).toBe('box-b');
      // A duplicate enqueue of the same attempt is a no-op.
      await queue.add('cell', { runId: run.id, attempt: 1, label: 'again', spec: {} as CellJobData['spec'] }, { jobId });
      expect((await queue.getJob(jobId))?.data.label).toBe(run.label);
      expect(await queue.count()).toBe(1);
      // The queue cannot be switched off under a cell it holds (it would train twice).
      await expect(h.client.request('settings/set', { queueUrl: null })).rejects.toThrow(/1 run\(s\) are in the queue at redis:\/\/127\.0\.0\.1/);
      // Stopping a cell no worker has taken takes it out of the queue.
      await h.client.request('sweeps/stop', { id: sweep.id });
      const stopped = await until('stopped', async () => {
        const r = await h.client.request('runs/get', { id: run.id });
        return r.status === 'stopped' ? r : null;
      }, 20_000);
      expect(stopped.events.find((e) => e.type === 'queue:stale-entries')?.payload).toEqual({ ignored: 1 });
      expect(await queue.getJobState(jobId)).toBe('unknown');
      await until('its stream dropped from Redis', async () => (await raw.exists(keys.events(jobId))) === 0, 10_000);
      expect((await h.client.request('settings/set', { queueUrl: null })).queueUrl).toBeNull();
    } finally {
      raw.disconnect();
      await h.close();
    }
  });

  it('finishes every cell exactly once with every step stored once, through a host restart, a worker killed mid-run and a stop/resume', async () => {
    const dataDir = path.join(root, 'host');
    let h = await startHost(dataDir);
    await h.client.request('settings/set', { queueUrl: redis.url });
    const spec = tinySweep(study, {
      name: 'queue 6', axes: { r: [2, 4, 8], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }] },
      training: { maxSteps: MAX_STEPS, batchSize: 4, learningRate: 0.01, evalEvery: 12, checkpointEvery: 4 },
    });
    const sweep = await h.client.request('sweeps/create', { spec, launch: true });
    await until('6 cells in the queue', async () => (await queue.getWaitingCount()) === 6);
    await h.close(); // the host goes away; the cells wait in Redis

    const names = ['w1', 'w2', 'w3'];
    workers = await Promise.all(names.map((n) => startWorker(redis.url, n, { workDir: path.join(root, n), env: WORKER_ENV })));
    h = await startHost(dataDir); // re-attaches to the jobs from the runs table
    const runsNow = async (): Promise<RunRecord[]> => (await h.client.request('sweeps/get', { id: sweep.id })).runs;

    const victim = await until('a run past its first uploaded checkpoint', async () =>
      (await runsNow()).find((r) => r.status === 'running' && r.worker && r.step >= 6 && r.step <= MAX_STEPS - 6) ?? null, 120_000);
    const killed = workers.find((w) => w.name === victim.worker)!;
    killed.killHard();
    const stepAtKill = (await h.client.request('runs/get', { id: victim.id })).step;

    // A person stops another cell mid-run: its worker checkpoints, uploads and lets it go. Resumed, the run is
    // enqueued again as attempt 2, seeded with the host's copy of that checkpoint, and continues from it.
    const paused = await until('another run past its first checkpoint', async () => (await runsNow()).find((r) =>
      r.id !== victim.id && r.status === 'running' && r.worker !== killed.name && r.step >= 5 && r.step <= MAX_STEPS - 12) ?? null, 120_000);
    await h.client.request('runs/stop', { id: paused.id });
    // The host's view of a remote run trails its worker by the stream's delay (seconds on a loaded machine): the
    // window above leaves 12 updates for the stop to land before the run could finish on its own.
    const pausedStatus = await until('the paused run stopped', async () => {
      const status = (await h.client.request('runs/get', { id: paused.id })).status;
      return status === 'stopped' || status === 'finished' ? status : null;
    }, 60_000);
    expect(pausedStatus, 'the run finished before the stop reached its worker').toBe('stopped');
    await h.client.request('runs/resume', { id: paused.id });

    await until('every cell ended', async () => (await runsNow()).every((r) => ['finished', 'failed', 'stopped', 'interrupted'].includes(r.status)) || null, 150_000);
    const runs = await runsNow();
    expect(runs).toHaveLength(6);
    expect(new Set(runs.map((r) => r.cellKey)).size).toBe(6);
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('finished'));
    for (const r of runs) {
      expect(r.step).toBe(MAX_STEPS);
      expect(names).toContain(r.worker);
      const series = h.host.services.store.metrics.series(r.id, 'train_loss');
      expect(series.map((p) => p.step)).toEqual(Array.from({ length: MAX_STEPS }, (_, i) => i + 1));
      expect(series.every((p) => Number.isFinite(p.value))).toBe(true);
      const detail = await h.client.request('runs/get', { id: r.id });
      expect(detail.artifacts.filter((a) => a.kind === 'adapter')).toHaveLength(1);
      const checkpointSteps = detail.artifacts.filter((a) => a.kind === 'checkpoint').map((a) => a.step);
      expect(new Set(checkpointSteps).size).toBe(checkpointSteps.length); // a re-delivered checkpoint is one row
      expect(fs.existsSync(path.join(r.outputDir!, 'adapter_model.safetensors'))).toBe(true);
    }
    // The killed cell went on elsewhere, from its last uploaded checkpoint: some steps were delivered twice.
    const v = await h.client.request('runs/get', { id: victim.id });
    expect(v.worker).not.toBe(killed.name);
    const resumed = v.events.filter((e) => e.type === 'status:resumed').map((e) => e.payload as { worker: string; resumeStep: number });
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0].worker).not.toBe(killed.name);
    expect(resumed[0].resumeStep).toBeGreaterThanOrEqual(4);
    expect(resumed[0].resumeStep % 4).toBe(0); // a checkpoint step (checkpointEvery 4)
    expect(resumed[0].resumeStep).toBeLessThanOrEqual(Math.min(MAX_STEPS - 4, stepAtKill + 4));
    const p = await h.client.request('runs/get', { id: paused.id });
    const enqueued = p.events.filter((e) => e.type === 'queue:enqueued').map((e) => e.payload as { jobId: string; resumeStep: number | null });
    expect(enqueued.map((e) => e.jobId)).toEqual([jobIdFor(p.id, 1), jobIdFor(p.id, 2)]);
    expect(enqueued[1].resumeStep).toBeGreaterThanOrEqual(4);
    const lastResume = p.events.filter((e) => e.type === 'status:resumed').pop()?.payload as { resumeStep: number; jobId: string };
    expect(lastResume).toMatchObject({ resumeStep: enqueued[1].resumeStep, jobId: jobIdFor(p.id, 2) });
    expect(h.host.services.store.integrityCheck()).toBe('ok');
    await h.close();
    await Promise.all(workers.filter((w) => w !== killed).map((w) => w.stop()));
  }, 300_000); // about 90 s on 2 idle cores; the margin is for a machine shared with other jobs
});
