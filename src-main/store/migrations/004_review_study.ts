// Migration 4: what the review screens need beyond migration 2. Review prompts per sweep (with the dataset's
// reference response), blind pairwise judgements between two samples, the sweep's review settings (decoding shared
// by every run), and ratings whose score may be absent (flags or a note alone). SQLite cannot relax a CHECK in
// place, so ratings is rebuilt with the same rows.
// Frozen: never edit this file; change the schema with a new migration.
import type Database from 'better-sqlite3';
import type { Migration } from './types';

const SQL = `
CREATE TABLE review_prompts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  sweep_id    INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  text        TEXT    NOT NULL,
  fields_json TEXT    NOT NULL,
  reference   TEXT,
  source      TEXT    NOT NULL CHECK (source IN ('typed', 'validation', 'import')),
  created_at  TEXT    NOT NULL
);
CREATE INDEX review_prompts_sweep ON review_prompts (sweep_id, position);

CREATE TABLE judgements (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  sweep_id        INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  prompt_id       TEXT    NOT NULL,
  left_sample_id  INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  right_sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  verdict         TEXT    NOT NULL CHECK (verdict IN ('left', 'right', 'tie', 'skip')),
  rater           TEXT    NOT NULL,
  repeat_of       INTEGER REFERENCES judgements (id) ON DELETE SET NULL,
  created_at      TEXT    NOT NULL,
  CHECK (left_sample_id <> right_sample_id)
);
CREATE INDEX judgements_sweep ON judgements (sweep_id, id);

ALTER TABLE sweeps ADD COLUMN review_json TEXT;

CREATE TABLE ratings_v4 (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  sample_id  INTEGER NOT NULL UNIQUE REFERENCES samples (id) ON DELETE CASCADE,
  score      INTEGER CHECK (score IS NULL OR score BETWEEN 1 AND 5),
  flags_json TEXT    NOT NULL DEFAULT '[]',
  note       TEXT,
  created_at TEXT    NOT NULL,
  updated_at TEXT    NOT NULL
);
INSERT INTO ratings_v4 (id, sample_id, score, flags_json, note, created_at, updated_at)
  SELECT id, sample_id, score, flags_json, note, created_at, updated_at FROM ratings;
DROP TABLE ratings;
ALTER TABLE ratings_v4 RENAME TO ratings;
`;

export const migration: Migration = {
  version: 4,
  name: 'review_study',
  up(db: Database.Database): void {
    db.exec(SQL);
  },
};
