// Looks at an existing database file before the store opens it for writing, and refuses (without changing a byte)
// a file that is not SQLite, an SQLite file of another program, or a store written by a newer PeftLab version.
import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { PeftLabError } from '../../src-shared/errors';
import { APPLICATION_ID } from './migrations/types';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface FileState {
  /** false: the file does not exist yet or is empty (a new store). */
  exists: boolean;
  userVersion: number;
}

function refuse(file: string, problem: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PeftLabError('STORE_INVALID', message, { file, problem, ...details });
}

function hasSqliteHeader(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

function notSqlite(file: string): never {
  return refuse(file, 'not-sqlite', `${file} is not a PEFT Lab database (it is not an SQLite file). ` +
    'Move it out of the way or choose another data folder; PEFT Lab has not changed it.');
}

interface Header { userVersion: number; applicationId: number; tables: number }

/** Removes the -wal/-shm files a read-only connection to a WAL database created, so a refused file is left as found. */
function removeCreatedSideFiles(file: string, existedBefore: ReadonlySet<string>): void {
  for (const side of [`${file}-wal`, `${file}-shm`]) {
    if (!existedBefore.has(side) && fs.existsSync(side)) fs.rmSync(side, { force: true });
  }
}

/** Reads the header pragmas through a read-only connection (which never writes the main file). */
function readHeader(file: string): Header {
  const existed = new Set([`${file}-wal`, `${file}-shm`].filter((f) => fs.existsSync(f)));
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return {
      userVersion: db.pragma('user_version', { simple: true }) as number,
      applicationId: db.pragma('application_id', { simple: true }) as number,
      tables: (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n,
    };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') notSqlite(file);
    if (code === 'SQLITE_CORRUPT') {
      refuse(file, 'corrupt', `${file} is a damaged SQLite database. Restore it from a backup or move it out of the ` +
        'way to start a new store; PEFT Lab has not changed it.');
    }
    throw err;
  } finally {
    db?.close();
    removeCreatedSideFiles(file, existed);
  }
}

/** Throws a PeftLabError for a file the store must not open; otherwise says what is there. */
export function inspectStoreFile(file: string, latestVersion: number): FileState {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return { exists: false, userVersion: 0 };
  if (!fs.statSync(file).isFile() || !hasSqliteHeader(file)) notSqlite(file);
  const h = readHeader(file);
  const ours = h.applicationId === APPLICATION_ID || (h.applicationId === 0 && h.userVersion === 0 && h.tables === 0);
  if (!ours) {
    refuse(file, 'foreign', `${file} is an SQLite database of another program, not a PEFT Lab store. ` +
      'Choose another data folder or move the file out of the way; PEFT Lab has not changed it.',
    { applicationId: h.applicationId });
  }
  if (h.userVersion > latestVersion) {
    refuse(file, 'newer-version', `${file} was written by a newer version of PEFT Lab (database version ` +
      `${h.userVersion}; this version understands up to ${latestVersion}). Update PEFT Lab to open it, or choose ` +
      'another data folder; PEFT Lab has not changed the file.', { userVersion: h.userVersion, latestVersion });
  }
  return { exists: true, userVersion: h.userVersion };
}
