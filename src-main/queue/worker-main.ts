// The `peft-lab worker` process: checks its options, starts a QueueWorker, prints one "ready" line on stdout once
// it is connected, and on SIGINT/SIGTERM stops gracefully (cells checkpoint, upload and go back to the queue).
// A second signal exits at once.
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendChoice } from '../../src-shared/domain/run-spec';
import { PeftLabError } from '../../src-shared/errors';
import { untilSignal } from '../cli/until-signal';
import { leaseFromEnv, parseQueueUrl } from './config';
import { QueueWorker } from './worker';

export interface WorkerCliOptions {
  queue: string;
  concurrency: number;
  backend?: BackendChoice;
  name?: string;
  workDir?: string;
  lease?: number;
}

export async function runWorker(o: WorkerCliOptions): Promise<void> {
  const url = parseQueueUrl(o.queue, '--queue');
  if (o.lease !== undefined && o.lease < 1000) throw new PeftLabError('BAD_ARGUMENT', `--lease ${o.lease}: give at least 1000 ms (the lock is renewed every half of it)`);
  const env = leaseFromEnv();
  const lease = o.lease ? { ...env, lockMs: o.lease, stalledIntervalMs: Math.max(500, Math.floor(o.lease / 2)) } : env;
  const name = o.name ?? `${os.hostname()}-${process.pid}`;
  const workDir = path.resolve(o.workDir ?? path.join(os.tmpdir(), `peft-lab-worker-${name.replace(/[^A-Za-z0-9.-]/g, '_')}`));
  const log = (m: string) => process.stderr.write(`[worker ${name}] ${m}\n`);
  const worker = new QueueWorker({ url, concurrency: o.concurrency, backend: o.backend, name, workDir, lease, log });
  const stopped = untilSignal();
  log(`connecting to ${url} …`);
  await Promise.race([worker.ready(), stopped]);
  process.stdout.write(`peft-lab worker ${name} ready: ${url}, ${o.concurrency} at once, lease ${lease.lockMs} ms\n`);
  await stopped;
  log('stopping: cells in training checkpoint and go back to the queue');
  await worker.close();
  setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
}
