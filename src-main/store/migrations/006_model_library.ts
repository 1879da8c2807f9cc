// Migration 6: the model library's extra facts per registered folder: how the weights are stored (bitsandbytes
// quantisation), disk use, where a Hub download came from (repo, revision, commit, endpoint: JSON), and the
// folder's fingerprint at registration (file names, sizes, mtimes: JSON) to notice later changes. Existing rows
// get NULLs, filled by the host the first time it lists them.
// Frozen: never edit this file; change the schema with a new migration.
import type Database from 'better-sqlite3';
import type { Migration } from './types';

const SQL = `
ALTER TABLE models ADD COLUMN quantization TEXT CHECK (quantization IN ('none', 'bnb-4bit', 'bnb-8bit'));
ALTER TABLE models ADD COLUMN disk_bytes INTEGER;
ALTER TABLE models ADD COLUMN source_json TEXT;
ALTER TABLE models ADD COLUMN fingerprint_json TEXT;
`;

export const migration: Migration = {
  version: 6,
  name: 'model_library',
  up(db: Database.Database): void {
    db.exec(SQL);
  },
};
