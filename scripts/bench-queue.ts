// Scale-out throughput (issue #10): the same 6-cell sweep of the tiny model through the Redis queue with 1, 2 and 3
// `peft-lab worker` processes on this one machine. Each measurement has its own redis-server (127.0.0.1, free port,
// no persistence) and its own host data folder; the workers start (and report ready) before the sweep is created,
// and the time runs from the cells being queued until the last one is stored finished. Every worker trains one cell
// at a time with one kernel thread (BENCH_QUEUE_THREADS, default 1), standing for a one-core machine: training is
// CPU-bound, so expect near-linear scaling up to this machine's core count and a flat line beyond it. (With
// BENCH_QUEUE_THREADS=shared each worker gets cores / workers threads instead: one worker then already uses every
// core.) On a machine shared with other jobs more worker processes also win a larger share of the cores, so each row
// prints the load average it started under.
// `npm run bench -- --only queue`; BENCH_QUEUE_STEPS (default 40) and BENCH_QUEUE_WORKERS (default 1,2,3) change it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunRecord } from '../src-shared/domain/records';
import { startHost, tinySweep, until, writeTinyStudy } from '../test/host/helpers';
import { redisInstalled, startRedis, REDIS_SERVER } from '../test/queue/redis-server';
import { startWorker } from '../test/queue/workers';

const STEPS = Number(process.env.BENCH_QUEUE_STEPS ?? 40);
const WORKERS = (process.env.BENCH_QUEUE_WORKERS ?? '1,2,3').split(',').map(Number);
const THREADS = process.env.BENCH_QUEUE_THREADS ?? '1';

export interface QueueTiming {
  workers: number;
  /** Wall seconds from the cells being queued to the last one finished in the host's database. */
  seconds: number;
  /** Cells each worker trained (by the runs table's worker column). */
  perWorker: Record<string, number>;
  finished: number;
  /** The machine's 1-minute load average when the measurement started (others' jobs share the cores). */
  loadBefore: number;
}

export interface QueueBench {
  cells: number;
  steps: number;
  cores: number;
  /** Kernel threads per worker ('shared': cores / workers). */
  threads: string;
  timings: QueueTiming[];
  skipped?: string;
}

async function measure(root: string, study: Awaited<ReturnType<typeof writeTinyStudy>>, n: number): Promise<QueueTiming> {
  const loadBefore = os.loadavg()[0];
  const dir = path.join(root, `w${n}`);
  const redis = await startRedis(path.join(dir, 'redis'));
  const threads = THREADS === 'shared' ? String(Math.max(1, Math.floor(os.availableParallelism() / n))) : THREADS;
  const workers = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(redis.url, `bench-${i + 1}`, {
    workDir: path.join(dir, `worker-${i + 1}`), env: { PEFT_LAB_THREADS: threads },
  })));
  const h = await startHost(path.join(dir, 'host'));
  try {
    await h.client.request('settings/set', { queueUrl: redis.url });
    const spec = tinySweep(study, {
      name: `queue bench ${n}`, axes: { r: [2, 4, 8], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }] },
      training: { maxSteps: STEPS, batchSize: 4, learningRate: 0.01, evalEvery: 0, checkpointEvery: 10 },
    });
    const sweep = await h.client.request('sweeps/create', { spec, launch: true });
    const t0 = performance.now();
    const ended = (r: RunRecord) => ['finished', 'failed', 'stopped', 'interrupted'].includes(r.status);
    const runs = await until('the sweep ended', async () => {
      const list = (await h.client.request('sweeps/get', { id: sweep.id })).runs;
      return list.every(ended) ? list : null;
    }, 60 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    const perWorker: Record<string, number> = {};
    for (const r of runs) perWorker[r.worker ?? '?'] = (perWorker[r.worker ?? '?'] ?? 0) + 1;
    return { workers: n, seconds, perWorker, finished: runs.filter((r) => r.status === 'finished').length, loadBefore };
  } finally {
    await h.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  }
}

export async function benchQueue(): Promise<QueueBench> {
  const cores = os.availableParallelism();
  if (!redisInstalled()) return { cells: 6, steps: STEPS, cores, threads: THREADS, timings: [], skipped: `${REDIS_SERVER} is not installed` };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-bench-queue-'));
  try {
    const study = await writeTinyStudy(root);
    const timings: QueueTiming[] = [];
    for (const n of WORKERS) {
      process.stderr.write(`bench: queue, ${n} worker${n === 1 ? '' : 's'}…\n`);
      timings.push(await measure(root, study, n));
    }
    return { cells: 6, steps: STEPS, cores, threads: THREADS, timings };
  } finally {
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

export function printQueue(b: QueueBench): void {
  console.log('');
  if (b.skipped) {
    console.log(`queue scale-out: skipped (${b.skipped})`);
    return;
  }
  console.log(`queue scale-out: ${b.cells}-cell tiny sweep, ${b.steps} updates per cell, through Redis, on ${b.cores} cores, ${b.threads === 'shared' ? 'cores / workers' : b.threads} kernel thread(s) per worker`);
  console.log('workers  wall s  cells/min  speed-up vs 1  load before  per worker');
  const one = b.timings.find((t) => t.workers === 1);
  for (const t of b.timings) {
    const speedUp = one ? (one.seconds / t.seconds).toFixed(2) : '—';
    const per = Object.entries(t.perWorker).sort().map(([w, c]) => `${w}: ${c}`).join(', ');
    console.log(`${String(t.workers).padStart(7)} ${t.seconds.toFixed(1).padStart(7)} ${(60 * t.finished / t.seconds).toFixed(2).padStart(10)} ${speedUp.padStart(14)} ${t.loadBefore.toFixed(1).padStart(12)}  ${per}${t.finished < b.cells ? ` (${b.cells - t.finished} not finished!)` : ''}`);
  }
}
