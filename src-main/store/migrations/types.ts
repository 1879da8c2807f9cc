// A schema migration: numbered, applied once, in its own transaction, never edited after it is written
// (DESIGN.md convention 7). Add a change as a new file NNN_name.ts and list it in ./index.ts.
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3 ... contiguous; becomes PRAGMA user_version once applied. */
  version: number;
  name: string;
  /** Runs inside a transaction opened by the runner; must not open its own or change PRAGMA foreign_keys. */
  up(db: Database.Database): void;
}

/** PRAGMA application_id of a PEFT Lab store: "PEFL" in ASCII. Set by migration 1. */
export const APPLICATION_ID = 0x5045464c;
