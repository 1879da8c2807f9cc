// A consistent copy of a data folder, taken while the app may be running (`peft-lab backup`). The database goes
// through SQLite's online backup API (better-sqlite3's db.backup: page by page through a read-only connection,
// restarted when the host commits meanwhile, so the copy is one committed state with the WAL's content in it); the
// copy must pass integrity_check. Then every other file of the folder (run folders: checkpoints, adapters, logs) is
// copied, without the temporary files of writes in progress. The copy is itself a data folder (`--data OUT`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { PeftLabError } from '../../src-shared/errors';
import { storageError } from '../engine/storage-errors';
import { integrityCheck } from './db';
import { inspectStoreFile } from './inspect';
import { LATEST_VERSION } from './migrations/index';

export const STORE_FILE = 'peft-lab.db';

export interface BackupResult {
  database: string;
  /** The copy's schema version (PRAGMA user_version). */
  userVersion: number;
  runs: number;
  metricPoints: number;
  /** Files of the folder copied beside the database, and their bytes. */
  files: number;
  bytes: number;
  /** Files that went away while they were being copied (a pruned checkpoint, a finished temporary write). */
  vanished: string[];
}

// The database and its side files (copied through the backup API instead) and temporary files of writes in progress.
const NOT_COPIED = /^peft-lab\.db(-wal|-shm|-journal)?$|^\..+\.tmp$|^.+\.json\.\d+$|\.(partial|old|pruned)-\d+$/;

function refuse(message: string, details: Record<string, unknown>): never {
  throw new PeftLabError('BAD_ARGUMENT', message, details);
}

function checkTarget(dataDir: string, out: string): void {
  const rel = path.relative(dataDir, out);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    refuse(`cannot back up ${dataDir} into ${out}: the backup folder must be outside the data folder. Choose another OUT.`, { out });
  }
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    refuse(`${out} already exists and is not an empty folder; a backup never overwrites. Choose a new OUT.`, { out });
  }
}

async function copyDatabase(source: string, target: string): Promise<{ userVersion: number; runs: number; metricPoints: number }> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target);
  } finally {
    db.close();
  }
  const copy = new Database(target, { fileMustExist: true });
  try {
    const health = integrityCheck(copy);
    if (health !== 'ok') throw new PeftLabError('STORE_INVALID', `the backup ${target} failed integrity_check: ${health}`, { file: target });
    const count = (table: string) => (copy.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { userVersion: copy.pragma('user_version', { simple: true }) as number, runs: count('runs'), metricPoints: count('metrics') };
  } finally {
    copy.close();
  }
}

function copyTree(from: string, to: string, result: Pick<BackupResult, 'files' | 'bytes' | 'vanished'>): void {
  fs.mkdirSync(to, { recursive: true });
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(from, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return void result.vanished.push(from);
    throw err;
  }
  for (const e of entries) {
    if (NOT_COPIED.test(e.name)) continue;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      copyTree(src, dst, result);
    } else if (e.isFile()) {
      try {
        fs.copyFileSync(src, dst, fs.constants.COPYFILE_FICLONE);
        result.files += 1;
        result.bytes += fs.statSync(dst).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        result.vanished.push(src);
      }
    }
  }
}

/** Copies the data folder `dataDir` to the new folder `out`: the database first, then the other files. */
export async function backupDataFolder(dataDir: string, out: string): Promise<BackupResult> {
  const from = path.resolve(dataDir);
  const to = path.resolve(out);
  const source = path.join(from, STORE_FILE);
  if (!fs.existsSync(source)) {
    throw new PeftLabError('FILE_NOT_FOUND', `${source} does not exist; pass --data with the folder the app uses`, { file: source });
  }
  checkTarget(from, to);
  inspectStoreFile(source, LATEST_VERSION); // refuses a file that is not a PEFT Lab store, or one of a newer version
  try {
    fs.mkdirSync(to, { recursive: true });
    const database = path.join(to, STORE_FILE);
    const db = await copyDatabase(source, database);
    const result: BackupResult = { database, ...db, files: 0, bytes: 0, vanished: [] };
    copyTree(from, to, result);
    return result;
  } catch (err) {
    throw storageError(err, to, 'run the backup again into a new folder');
  }
}
