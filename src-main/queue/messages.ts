// What travels through the queue. A BullMQ job is one attempt of one run (job id "run-<id>-a<attempt>", so
// enqueueing the same attempt twice is a no-op); its data is the resolved run spec. Back from the worker, every
// entry of the job's Redis stream is one RemoteMessage, stamped with the lock token of the delivery that wrote it,
// so the host can ignore a delivery that lost its lease (a worker cut off from the network that kept training).
import { z } from 'zod';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import { RunSpecSchema } from '../../src-shared/domain/run-spec';
import type { WireError } from '../../src-shared/errors';
import { PeftLabError } from '../../src-shared/errors';
import type { WorkerToHost } from '../../src-shared/protocol/worker';

export interface CellJobData {
  runId: number;
  attempt: number;
  label: string;
  /** The run spec as the host resolved it; `output` is the host's folder (a worker trains into its own). */
  spec: RunSpec;
}

const CellJobSchema = z.object({
  runId: z.number().int().positive(),
  attempt: z.number().int().positive(),
  label: z.string(),
  spec: RunSpecSchema,
});

/** Checks a job's data on the worker (a job written by another version, or by hand, is refused with the reason). */
export function parseCellJob(data: unknown, jobId: string): CellJobData {
  const r = CellJobSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new PeftLabError('SPEC_INVALID', `queue job ${jobId}: ${issue.path.join('.') || 'data'}: ${issue.message} (was it enqueued by another version of PEFT Lab?)`);
  }
  return r.data as CellJobData;
}

export function jobIdFor(runId: number, attempt: number): string {
  return `run-${runId}-a${attempt}`;
}

/** Which attempt a job id stands for, or null when it is not one of ours. */
export function attemptOf(jobId: string): { runId: number; attempt: number } | null {
  const m = /^run-(\d+)-a(\d+)$/.exec(jobId);
  return m ? { runId: Number(m[1]), attempt: Number(m[2]) } : null;
}

/** How a delivery ended, as the worker saw it (BullMQ's job state is what the host trusts). */
export type RemoteVerdict =
  | { status: 'finished' }
  | { status: 'failed'; error: WireError }
  | { status: 'stopped' }
  | { status: 'interrupted'; reason: string };

export type RemoteMessage =
  /** A worker took the cell (first entry of every delivery); resumeStep: the uploaded checkpoint it starts from. */
  | { kind: 'claim'; token: string; worker: string; resumeStep: number | null }
  /** A message of the run worker, passed on unchanged (checkpoint/finished events come as 'artifact' instead). */
  | { kind: 'run'; token: string; message: WorkerToHost }
  /** Files uploaded under `key` (a hash of file name → bytes): a checkpoint folder or the final adapter. */
  | { kind: 'artifact'; token: string; artifact: 'checkpoint' | 'adapter'; step: number; key: string; bytes: number;
      finished?: { finalLoss: number | null; valLoss: number | null; seconds: number } }
  | { kind: 'verdict'; token: string; verdict: RemoteVerdict };

/** What the worker's processor returns (the job's return value). */
export interface CellJobResult {
  status: 'finished' | 'stopped';
  worker: string;
  step: number;
}
