// Migration 7: runs trained through the distributed queue (src-main/queue). `worker` names the machine/process that
// trains (or trained) the run, shown in a sweep's runs table; `queue_job` is the BullMQ job id of its current attempt
// ("run-<id>-a<n>"), so a restarted host re-attaches to it instead of enqueueing it again; `queue_cursor` is the id
// of the last entry of that job's event stream already applied to this database, written in the same transaction
// as what the entry changed, so no entry is applied twice. Metrics need no change: (run_id, name, step) is already
// their primary key, so a duplicate delivery of a point replaces it instead of adding a row.
// Frozen: never edit this file; change the schema with a new migration.
import type Database from 'better-sqlite3';
import type { Migration } from './types';

export const migration: Migration = {
  version: 7,
  name: 'run_queue',
  up(db: Database.Database): void {
    db.exec(`
      ALTER TABLE runs ADD COLUMN worker TEXT;
      ALTER TABLE runs ADD COLUMN queue_job TEXT;
      ALTER TABLE runs ADD COLUMN queue_cursor TEXT;
      CREATE INDEX runs_queue_job ON runs (queue_job) WHERE queue_job IS NOT NULL;
    `);
  },
};
