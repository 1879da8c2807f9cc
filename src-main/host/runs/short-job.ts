// Runs one short job (data statistics, backend probe, timing probe) in a worker process and returns its answer,
// so that tokenising a dataset or initialising a GPU driver never blocks the host's event loop.
import type { HostToWorker, WorkerToHost } from '../../../src-shared/protocol/worker';
import { PeftLabError, errorFromWire } from '../../../src-shared/errors';
import { WorkerProcess } from './supervisor';

type Answer<K extends WorkerToHost['kind']> = Extract<WorkerToHost, { kind: K }>;

export function runShortJob<K extends WorkerToHost['kind']>(job: HostToWorker, answer: K, signal?: AbortSignal, env: NodeJS.ProcessEnv = {}): Promise<Answer<K>> {
  return new Promise((resolve, reject) => {
    let result: Answer<K> | null = null;
    let failure: Error | null = null;
    const worker = new WorkerProcess(job, null, {
      onMessage: (m) => {
        if (m.kind === answer) result = m as Answer<K>;
        else if (m.kind === 'job-failed' || m.kind === 'probe-failed') failure = errorFromWire(m.error);
      },
      onExit: (verdict) => {
        if (result) resolve(result);
        else if (failure) reject(failure);
        else if (signal?.aborted) reject(new PeftLabError('CANCELLED', `${job.kind} cancelled`));
        else reject(new PeftLabError('INTERNAL', `the ${job.kind} worker ended without an answer: ${verdict.status === 'interrupted' ? verdict.reason : verdict.status}`));
      },
    }, env);
    signal?.addEventListener('abort', () => worker.kill(), { once: true });
  });
}
