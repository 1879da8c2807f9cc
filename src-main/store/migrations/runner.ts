// Applies pending migrations, each in its own transaction that also sets PRAGMA user_version, so a crash
// between two migrations leaves the database at a consistent version.
import type Database from 'better-sqlite3';
import { PeftLabError } from '../../../src-shared/errors';
import type { Migration } from './types';
import { MIGRATIONS } from './index';

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws when versions are not 1, 2, 3 ... in order (a programming error in ./index.ts). */
export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list out of order: entry ${i} (${m.name}) has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/**
 * Brings `db` from its user_version up to `target` (default: the last migration). Returns the versions applied.
 * A database already at or above `target` is left alone.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = MIGRATIONS, target?: number): number[] {
  checkMigrationList(list);
  const to = target ?? list.length;
  const applied: number[] = [];
  for (const m of list) {
    if (m.version <= userVersion(db) || m.version > to) continue;
    const step = db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step();
    } catch (err) {
      throw new PeftLabError('INTERNAL', `Could not upgrade the database ${db.name} to version ${m.version} (${m.name}): ` +
        `${err instanceof Error ? err.message : String(err)}. The database was left at version ${userVersion(db)}.`,
      { file: db.name, version: m.version });
    }
    applied.push(m.version);
  }
  return applied;
}
