// Disk full and read-only folders, said plainly. A write can end in ENOSPC, EDQUOT or EFBIG (a full disk, a quota,
// a file-size limit), EROFS, EACCES or EPERM (a read-only mount, a folder of another user), or SQLite's codes for
// the same (SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_READONLY*, SQLITE_CANTOPEN). storageError turns those into a
// PeftLabError (DISK_FULL or FOLDER_NOT_WRITABLE) that names the folder and the fix; anything else comes back as it was.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { PeftLabError, isPeftLabError } from '../../src-shared/errors';
import { formatBytes } from './plan/memory';

const FULL_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const NOT_WRITABLE_ERRNO = new Set(['EROFS', 'EACCES', 'EPERM']);
// SQLite reports a failed write(2) as IOERR_WRITE unless errno was ENOSPC (then FULL); EFBIG lands there too.
const FULL_SQLITE = /^SQLITE_(FULL|IOERR_WRITE|IOERR_FSYNC|IOERR_TRUNCATE|IOERR_SHMSIZE)$/;
const NOT_WRITABLE_SQLITE = /^SQLITE_(READONLY|READONLY_\w+|CANTOPEN|CANTOPEN_\w+|PERM|AUTH)$/;

export type StorageProblem = 'full' | 'not-writable';

/** What kind of storage failure `err` is, if it is one. */
export function storageProblem(err: unknown): StorageProblem | null {
  if (isPeftLabError(err)) return err.code === 'DISK_FULL' ? 'full' : err.code === 'FOLDER_NOT_WRITABLE' ? 'not-writable' : null;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (FULL_ERRNO.has(code) || FULL_SQLITE.test(code)) return 'full';
  if (NOT_WRITABLE_ERRNO.has(code) || NOT_WRITABLE_SQLITE.test(code)) return 'not-writable';
  return null;
}

function freeSpace(folder: string): string {
  try {
    const s = fs.statfsSync(folder);
    return `${formatBytes(s.bavail * s.bsize)} free`;
  } catch {
    return 'free space unknown';
  }
}

function user(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

const next = (then: string | undefined): string => `${then ? `; then ${then}` : ''}. Nothing already stored was changed.`;

/**
 * `err` as a PeftLabError naming `folder` when it is a storage failure, else `err` unchanged.
 * `then` says what to do once the cause is fixed (e.g. "resume the run: it continues from its last checkpoint").
 */
export function storageError(err: unknown, folder: string, then?: string): unknown {
  const problem = storageProblem(err);
  if (problem === null || isPeftLabError(err)) return err;
  const e = err as { code?: string; message?: string };
  const text = e.message ?? String(err);
  // Node's messages already start with the code and name the path ("EACCES: permission denied, mkdir '/x'").
  const cause = text.startsWith(`${e.code}:`) ? text : `${e.code}: ${text}`;
  if (problem === 'full') {
    return new PeftLabError('DISK_FULL',
      `cannot write to ${folder}: the disk is full or a file-size limit was reached (${freeSpace(folder)}; ${cause}). ` +
      `Free space on the disk holding ${folder}, or choose another data folder with --data${next(then)}`,
      { folder, cause: e.code });
  }
  return new PeftLabError('FOLDER_NOT_WRITABLE',
    `cannot write to ${folder}: it is read-only or not writable by this user (${user()}; ${cause}). ` +
    `Make ${folder} writable, or choose another data folder with --data${next(then)}`,
    { folder, cause: e.code });
}

/** Throws FOLDER_NOT_WRITABLE when this process may not create files in `folder` (checked before anything is written). */
export function assertWritableFolder(folder: string, then?: string): void {
  try {
    fs.accessSync(folder, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const mapped = storageError(err, folder, then);
    if (mapped !== err) throw mapped;
    throw err;
  }
}
