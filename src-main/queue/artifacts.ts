// Artifacts through Redis: a folder's files (a trainer checkpoint, or the final adapter) stored as one hash,
// file name → bytes, written in one MULTI so a reader sees all of a folder or none of it. A folder is written back
// into a temporary sibling and renamed into place (the layout latestCheckpoint() expects), so a half-written copy
// never looks complete. Meant for adapter-sized artifacts (LoRA weights plus Adam moments: kilobytes for the tiny
// model, tens to a few hundred MB for 7B models); the per-folder cap makes a too-large one fail with the reason.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { PeftLabError } from '../../src-shared/errors';

/** Largest folder sent through Redis (PEFT_LAB_QUEUE_MAX_ARTIFACT_MB overrides; Redis caps one value at 512 MB). */
export function maxArtifactBytes(): number {
  const mb = Number(process.env.PEFT_LAB_QUEUE_MAX_ARTIFACT_MB ?? 256);
  return (Number.isFinite(mb) && mb > 0 ? mb : 256) * 1024 * 1024;
}

/** Uploads the regular files of `dir` (only `names` when given) as hash `key`; returns the bytes sent. */
export async function uploadFolder(redis: Redis, key: string, dir: string, names?: readonly string[]): Promise<number> {
  const files = (names ?? fs.readdirSync(dir)).filter((n) => fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.isFile());
  const contents = files.map((n) => [n, fs.readFileSync(path.join(dir, n))] as const);
  const bytes = contents.reduce((a, [, b]) => a + b.length, 0);
  if (bytes > maxArtifactBytes()) {
    throw new PeftLabError('BAD_ARGUMENT', `${dir}: ${(bytes / 2 ** 20).toFixed(1)} MB is more than the ${(maxArtifactBytes() / 2 ** 20).toFixed(0)} MB sent through the queue; raise PEFT_LAB_QUEUE_MAX_ARTIFACT_MB on the workers (Redis holds at most 512 MB per file)`);
  }
  const tx = redis.multi().del(key);
  for (const [n, b] of contents) tx.hset(key, n, b);
  await tx.exec();
  return bytes;
}

function checkPlainName(key: string, n: string): void {
  if (n !== path.basename(n) || n.startsWith('.')) throw new PeftLabError('INTERNAL', `artifact ${key} holds a file name that is not a plain name: ${JSON.stringify(n)}`);
}

/** Writes hash `key` as folder `dir` (replacing it); false when the key is gone (already collected). */
export async function downloadFolder(redis: Redis, key: string, dir: string): Promise<boolean> {
  const files = await redis.hgetallBuffer(key);
  const names = Object.keys(files);
  if (names.length === 0) return false;
  const tmp = `${dir}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const n of names) {
    checkPlainName(key, n);
    fs.writeFileSync(path.join(tmp, n), files[n]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return true;
}

/** Writes the files of hash `key` into the existing folder `dir` (beside what is there); false when gone. */
export async function downloadFilesInto(redis: Redis, key: string, dir: string): Promise<boolean> {
  const files = await redis.hgetallBuffer(key);
  const names = Object.keys(files);
  if (names.length === 0) return false;
  fs.mkdirSync(dir, { recursive: true });
  for (const n of names) {
    checkPlainName(key, n);
    const tmp = path.join(dir, `.${n}.partial-${process.pid}`);
    fs.writeFileSync(tmp, files[n]);
    fs.renameSync(tmp, path.join(dir, n));
  }
  return true;
}
