// Migration 1: the catalogue (models, datasets), sweeps and their runs, metric series, artifacts, run events and
// settings. Frozen: never edit this file; change the schema with a new migration.
// Status lists are written out here (not taken from src-shared) so that this migration never changes.
import type Database from 'better-sqlite3';
import type { Migration } from './types';
import { APPLICATION_ID } from './types';

const SQL = `
CREATE TABLE models (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  name               TEXT    NOT NULL,
  path               TEXT    NOT NULL UNIQUE,
  kind               TEXT    NOT NULL CHECK (kind IN ('weights', 'config')),
  model_type         TEXT    NOT NULL,
  hidden_size        INTEGER NOT NULL,
  num_layers         INTEGER NOT NULL,
  vocab_size         INTEGER NOT NULL,
  params             INTEGER NOT NULL,
  has_tokenizer      INTEGER NOT NULL CHECK (has_tokenizer IN (0, 1)),
  has_chat_template  INTEGER NOT NULL CHECK (has_chat_template IN (0, 1)),
  dtype              TEXT,
  linear_modules_json TEXT   NOT NULL,
  created_at         TEXT    NOT NULL
);

CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL,
  path        TEXT    NOT NULL,
  format      TEXT    NOT NULL CHECK (format IN ('jsonl', 'json', 'csv')),
  sha256      TEXT    NOT NULL,
  records     INTEGER NOT NULL,
  fields_json TEXT    NOT NULL,
  bytes       INTEGER NOT NULL,
  created_at  TEXT    NOT NULL,
  UNIQUE (path, sha256)
);

CREATE TABLE sweeps (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  spec_json  TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('draft', 'queued', 'running', 'finished', 'stopped')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE runs (
  id                    INTEGER PRIMARY KEY AUTOINCREMENT,
  sweep_id              INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
  cell_key              TEXT    NOT NULL,
  cell_json             TEXT    NOT NULL,
  label                 TEXT    NOT NULL,
  spec_json             TEXT    NOT NULL,
  seed                  INTEGER NOT NULL,
  model_id              INTEGER NOT NULL REFERENCES models (id),
  dataset_id            INTEGER REFERENCES datasets (id),
  dataset_sha256        TEXT,
  template_text         TEXT,
  status                TEXT    NOT NULL
                        CHECK (status IN ('queued', 'running', 'finished', 'failed', 'interrupted', 'stopped')),
  status_reason         TEXT,
  backend               TEXT,
  device                TEXT,
  library_versions_json TEXT,
  trainable_params      INTEGER,
  all_params            INTEGER,
  peak_memory_bytes     INTEGER,
  max_steps             INTEGER,
  step                  INTEGER NOT NULL DEFAULT 0,
  epoch                 REAL,
  last_loss             REAL,
  val_loss              REAL,
  tokens_per_second     REAL,
  eta_seconds           REAL,
  output_dir            TEXT,
  error_json            TEXT,
  queued_at             TEXT,
  started_at            TEXT,
  finished_at           TEXT,
  updated_at            TEXT    NOT NULL,
  UNIQUE (sweep_id, cell_key)
);
CREATE INDEX runs_status_id ON runs (status, id);
CREATE INDEX runs_sweep_status ON runs (sweep_id, status);
CREATE INDEX runs_model ON runs (model_id);
CREATE INDEX runs_dataset ON runs (dataset_id);

-- value is NULL when the worker reported NaN (SQLite stores NaN as NULL).
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name   TEXT    NOT NULL,
  step   INTEGER NOT NULL,
  value  REAL,
  epoch  REAL,
  tokens INTEGER,
  PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;

CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind       TEXT    NOT NULL CHECK (kind IN ('checkpoint', 'adapter', 'log')),
  step       INTEGER,
  path       TEXT    NOT NULL,
  bytes      INTEGER,
  created_at TEXT    NOT NULL
);
CREATE INDEX artifacts_run ON artifacts (run_id, id);

CREATE TABLE run_events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  time         TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  payload_json TEXT    NOT NULL
);
CREATE INDEX run_events_run ON run_events (run_id, id);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

export const migration: Migration = {
  version: 1,
  name: 'init',
  up(db: Database.Database): void {
    db.exec(SQL);
    db.pragma(`application_id = ${APPLICATION_ID}`);
  },
};
