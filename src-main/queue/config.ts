// Where the distributed queue lives and how it behaves: the Redis URL (validated), the BullMQ queue name, the keys
// this project keeps beside BullMQ's own (one event stream and the uploaded artifacts per job), and the lease:
// how long a worker's lock on a cell lasts and how often workers look for cells whose lock ran out.
// See README "Running a sweep on several machines" for why BullMQ on Redis.
import { Redis } from 'ioredis';
import { z } from 'zod';
import { PeftLabError } from '../../src-shared/errors';

/** The BullMQ queue every host and worker of one Redis share. */
export const QUEUE_NAME = 'peft-lab-cells';
const PREFIX = 'peft-lab';

const EXPECTED = 'expected redis://HOST:PORT (or rediss:// for TLS), e.g. redis://10.0.0.5:6379';
const QueueUrlSchema = z.string().trim().min(1, EXPECTED).refine((u) => {
  try {
    const url = new URL(u);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}, EXPECTED);

/** The queue URL, checked: `where` names the flag or setting in the error. */
export function parseQueueUrl(value: string, where: string): string {
  const r = QueueUrlSchema.safeParse(value);
  if (!r.success) throw new PeftLabError('BAD_ARGUMENT', `${where}: "${value}" is not a Redis URL: ${r.error.issues[0].message}`, { field: where });
  return r.data;
}

/** Connection options for BullMQ (it makes its own ioredis clients; blocking commands need no retry limit). */
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/** A plain client for this project's own keys (event streams, artifacts, stop flags). */
export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Keys kept per BullMQ job (= one attempt of one run). */
export const keys = {
  /** Redis stream of RemoteMessage entries, written by the worker, read by the host. */
  events: (jobId: string): string => `${PREFIX}:job:${jobId}:events`,
  /** JSON {step, key} of the newest uploaded checkpoint. */
  latestCheckpoint: (jobId: string): string => `${PREFIX}:job:${jobId}:checkpoint`,
  /** Hash file name → bytes of one checkpoint folder. */
  checkpoint: (jobId: string, step: number): string => `${PREFIX}:job:${jobId}:checkpoint:${step}`,
  /** Hash file name → bytes of the final adapter files. */
  adapter: (jobId: string): string => `${PREFIX}:job:${jobId}:adapter`,
  /** Set by the host when a person stops the run. */
  stop: (jobId: string): string => `${PREFIX}:job:${jobId}:stop`,
};

/** Every key of a job, for cleanup once the host has stored what it needs. */
export function jobKeyPattern(jobId: string): string {
  return `${PREFIX}:job:${jobId}:*`;
}

/** The lease of a cell on a worker: BullMQ's lock and stalled-job check. */
export interface LeaseOptions {
  /** A worker's lock on a cell lasts this long unless renewed (renewed every half of it while the worker lives). */
  lockMs: number;
  /** How often each worker looks for cells whose lock ran out and puts them back in the queue. */
  stalledIntervalMs: number;
  /** How many times a cell may be taken back from a vanished worker before it fails. */
  maxStalledCount: number;
}

export const DEFAULT_LEASE: LeaseOptions = { lockMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 5 };

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new PeftLabError('BAD_ARGUMENT', `${name}="${raw}": expected a whole number ≥ ${min}`, { field: name });
  return n;
}

/** The lease from PEFT_LAB_QUEUE_LOCK_MS / _STALLED_MS / _MAX_STALLED (tests make it short), else the defaults. */
export function leaseFromEnv(): LeaseOptions {
  return {
    lockMs: envInt('PEFT_LAB_QUEUE_LOCK_MS', DEFAULT_LEASE.lockMs, 1000),
    stalledIntervalMs: envInt('PEFT_LAB_QUEUE_STALLED_MS', DEFAULT_LEASE.stalledIntervalMs, 500),
    maxStalledCount: envInt('PEFT_LAB_QUEUE_MAX_STALLED', DEFAULT_LEASE.maxStalledCount, 1),
  };
}
