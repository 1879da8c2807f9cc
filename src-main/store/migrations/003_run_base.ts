// Migration 3: the frozen base's storage per run, measured from its tensors when the run starts (format such as
// "nf4+dq", bytes, bits per quantised weight), so the runs list and the summary show memory that matches theory.
// Frozen: never edit this file; change the schema with a new migration.
import type Database from 'better-sqlite3';
import type { Migration } from './types';

export const migration: Migration = {
  version: 3,
  name: 'run_base',
  up(db: Database.Database): void {
    db.exec(`
      ALTER TABLE runs ADD COLUMN base_format TEXT;
      ALTER TABLE runs ADD COLUMN base_weight_bytes INTEGER;
      ALTER TABLE runs ADD COLUMN base_bits_per_weight REAL;
    `);
  },
};
