// Migration 2: side-by-side review of generated outputs: samples (one generation of one prompt by one run, or by
// the base model when run_id is NULL), ratings of samples, free-text notes on runs/sweeps/samples, and run tags.
// Frozen: never edit this file; change the schema with a new migration.
import type Database from 'better-sqlite3';
import type { Migration } from './types';

const SQL = `
CREATE TABLE samples (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id            INTEGER REFERENCES runs (id) ON DELETE CASCADE,
  sweep_id          INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  prompt_id         TEXT    NOT NULL,
  prompt            TEXT    NOT NULL,
  output            TEXT    NOT NULL,
  step              INTEGER,
  decoding_json     TEXT    NOT NULL,
  tokens_per_second REAL,
  length            INTEGER,
  created_at        TEXT    NOT NULL
);
CREATE INDEX samples_sweep_prompt ON samples (sweep_id, prompt_id);
CREATE INDEX samples_run ON samples (run_id, step);

-- One rating per sample (updated in place).
CREATE TABLE ratings (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  sample_id  INTEGER NOT NULL UNIQUE REFERENCES samples (id) ON DELETE CASCADE,
  score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  flags_json TEXT    NOT NULL DEFAULT '[]',
  note       TEXT,
  created_at TEXT    NOT NULL,
  updated_at TEXT    NOT NULL
);

-- target_kind names the table of target_id ('run', 'sweep', 'sample', ...); the triggers below delete the notes
-- of a deleted run, sweep or sample.
CREATE TABLE notes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  target_kind TEXT    NOT NULL,
  target_id   INTEGER NOT NULL,
  text        TEXT    NOT NULL,
  created_at  TEXT    NOT NULL
);
CREATE INDEX notes_target ON notes (target_kind, target_id, id);
CREATE TRIGGER notes_of_deleted_run AFTER DELETE ON runs BEGIN
  DELETE FROM notes WHERE target_kind = 'run' AND target_id = OLD.id;
END;
CREATE TRIGGER notes_of_deleted_sweep AFTER DELETE ON sweeps BEGIN
  DELETE FROM notes WHERE target_kind = 'sweep' AND target_id = OLD.id;
END;
CREATE TRIGGER notes_of_deleted_sample AFTER DELETE ON samples BEGIN
  DELETE FROM notes WHERE target_kind = 'sample' AND target_id = OLD.id;
END;

CREATE TABLE tags (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tag        TEXT    NOT NULL,
  created_at TEXT    NOT NULL,
  UNIQUE (run_id, tag)
);
CREATE INDEX tags_tag ON tags (tag);
`;

export const migration: Migration = {
  version: 2,
  name: 'review',
  up(db: Database.Database): void {
    db.exec(SQL);
  },
};
