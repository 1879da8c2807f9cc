// The newest uploaded checkpoint of a job: what a delivery resumes from. A worker uploads each checkpoint the
// trainer writes and moves the job's pointer to it, keeping the one before (the host may still be copying it) and
// dropping older ones. A new attempt of a run the host has a checkpoint of (stopped, then resumed) is seeded with
// the host's copy before it is enqueued, so whichever worker takes it continues from there.
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { checkpointsDir, latestCheckpoint, stepDirName } from '../engine/train/checkpoint';
import { downloadFolder, uploadFolder } from './artifacts';
import { keys } from './config';

interface Pointer {
  step: number;
  key: string;
  /** The pointer's previous checkpoint key, dropped at the next upload. */
  previous: string | null;
}

async function readPointer(redis: Redis, jobId: string): Promise<Pointer | null> {
  const raw = await redis.get(keys.latestCheckpoint(jobId));
  return raw ? (JSON.parse(raw) as Pointer) : null;
}

/** Uploads checkpoint folder `dir` of `step` and points the job at it; returns its key and size. */
export async function saveLatestCheckpoint(redis: Redis, jobId: string, step: number, dir: string): Promise<{ key: string; bytes: number }> {
  const key = keys.checkpoint(jobId, step);
  const bytes = await uploadFolder(redis, key, dir);
  const before = await readPointer(redis, jobId);
  const next: Pointer = { step, key, previous: before && before.key !== key ? before.key : before?.previous ?? null };
  await redis.set(keys.latestCheckpoint(jobId), JSON.stringify(next));
  if (before?.previous && before.previous !== key && before.previous !== next.previous) await redis.del(before.previous);
  return { key, bytes };
}

/** Writes the job's newest uploaded checkpoint under `output`/checkpoints; returns its step, or null if none. */
export async function restoreLatestCheckpoint(redis: Redis, jobId: string, output: string): Promise<number | null> {
  const p = await readPointer(redis, jobId);
  if (!p) return null;
  const ok = await downloadFolder(redis, p.key, path.join(checkpointsDir(output), stepDirName(p.step)));
  return ok ? p.step : null;
}

/** Seeds a new job with the newest checkpoint in the host's `output` folder; returns its step, or null if none. */
export async function seedFromHost(redis: Redis, jobId: string, output: string): Promise<number | null> {
  const ck = latestCheckpoint(output);
  if (!ck) return null;
  await saveLatestCheckpoint(redis, jobId, ck.state.step, ck.dir);
  return ck.state.step;
}
