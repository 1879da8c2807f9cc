// Opens the run store: one SQLite file (WAL) written only by the host. Refuses files it must not touch, migrates,
// prepares every statement once, and marks runs a previous host left 'running' as 'interrupted'.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from './clock';
import { systemClock } from './clock';
import { assertWritableFolder, storageError } from '../engine/storage-errors';
import { inspectStoreFile } from './inspect';
import { LATEST_VERSION } from './migrations/index';
import { migrate } from './migrations/runner';
import type { ArtifactsRepo } from './repos/artifacts';
import { createArtifactsRepo } from './repos/artifacts';
import type { DatasetsRepo } from './repos/datasets';
import { createDatasetsRepo } from './repos/datasets';
import type { MetricsRepo } from './repos/metrics';
import { createMetricsRepo } from './repos/metrics';
import type { ModelsRepo } from './repos/models';
import { createModelsRepo } from './repos/models';
import type { NotesRepo } from './repos/notes';
import { createNotesRepo } from './repos/notes';
import type { RunEventsRepo } from './repos/run-events';
import { createRunEventsRepo } from './repos/run-events';
import type { RunsRepo } from './repos/runs';
import { createRunsRepo } from './repos/runs';
import type { SettingsRepo } from './repos/settings';
import { createSettingsRepo } from './repos/settings';
import type { SweepsRepo } from './repos/sweeps';
import { createSweepsRepo } from './repos/sweeps';
import type { TagsRepo } from './repos/tags';
import { createTagsRepo } from './repos/tags';
import type { ReviewPromptsRepo } from './repos/review-prompts';
import { createReviewPromptsRepo } from './repos/review-prompts';
import type { SamplesRepo } from './repos/samples';
import { createSamplesRepo } from './repos/samples';
import type { RatingsRepo } from './repos/ratings';
import { createRatingsRepo } from './repos/ratings';
import type { JudgementsRepo } from './repos/judgements';
import { createJudgementsRepo } from './repos/judgements';

export const INTERRUPTED_REASON = 'the host stopped while this run was in flight';

export interface StoreOptions {
  /** Source of every time stamp the store writes (tests pass a fixed clock). */
  clock?: Clock;
  /** PRAGMA busy_timeout in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Leave runs marked 'running' as they are: a reader beside a live host (peft-lab export) must not interrupt them. */
  keepInFlight?: boolean;
}

export interface Store {
  readonly file: string;
  /** The connection, for the migration runner and tests; repositories are the way to read and write. */
  readonly db: Database.Database;
  /** How many runs were 'running' when the store opened and are now 'interrupted'. */
  readonly interruptedOnOpen: number;
  /** Migration versions applied by this open (empty when the file was up to date). */
  readonly migrationsApplied: readonly number[];
  readonly models: ModelsRepo;
  readonly datasets: DatasetsRepo;
  readonly sweeps: SweepsRepo;
  readonly runs: RunsRepo;
  readonly metrics: MetricsRepo;
  readonly artifacts: ArtifactsRepo;
  readonly runEvents: RunEventsRepo;
  readonly settings: SettingsRepo;
  readonly notes: NotesRepo;
  readonly tags: TagsRepo;
  readonly reviewPrompts: ReviewPromptsRepo;
  readonly samples: SamplesRepo;
  readonly ratings: RatingsRepo;
  readonly judgements: JudgementsRepo;
  /** PRAGMA integrity_check plus PRAGMA foreign_key_check: 'ok' when healthy, otherwise one problem per line. */
  integrityCheck(): string;
  close(): void;
}

function connect(file: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function integrityCheck(db: Database.Database): string {
  const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check)
    .filter((s) => s !== 'ok');
  const fk = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  for (const v of fk) problems.push(`row ${v.rowid} of ${v.table} refers to a missing row of ${v.parent}`);
  return problems.length === 0 ? 'ok' : problems.join('\n');
}

/** Opens (creating its folder and the file when needed) and migrates the store at `file`; ':memory:' for tests. */
export function openStore(file: string, options: StoreOptions = {}): Store {
  const clock = options.clock ?? systemClock;
  const folder = path.dirname(path.resolve(file));
  if (file !== ':memory:') {
    // A read-only or full data folder is said plainly (naming it and the fix) before anything is written.
    try {
      fs.mkdirSync(folder, { recursive: true });
      assertWritableFolder(folder);
      if (fs.existsSync(file)) fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      throw storageError(err, folder);
    }
    inspectStoreFile(file, LATEST_VERSION);
  }
  let db: Database.Database;
  try {
    db = connect(file, options.busyTimeoutMs ?? 5000);
  } catch (err) {
    throw storageError(err, folder);
  }
  try {
    const migrationsApplied = migrate(db);
    const artifacts = createArtifactsRepo(db, clock);
    const runEvents = createRunEventsRepo(db, clock);
    const runs = createRunsRepo(db, clock, artifacts, runEvents);
    const interruptedOnOpen = options.keepInFlight ? 0 : runs.markInFlightInterrupted(INTERRUPTED_REASON);
    return {
      file, db, interruptedOnOpen, migrationsApplied, runs, artifacts, runEvents,
      models: createModelsRepo(db, clock),
      datasets: createDatasetsRepo(db, clock),
      sweeps: createSweepsRepo(db, clock),
      metrics: createMetricsRepo(db),
      settings: createSettingsRepo(db, clock),
      notes: createNotesRepo(db, clock),
      tags: createTagsRepo(db, clock),
      reviewPrompts: createReviewPromptsRepo(db, clock),
      samples: createSamplesRepo(db, clock),
      ratings: createRatingsRepo(db, clock),
      judgements: createJudgementsRepo(db, clock),
      integrityCheck: () => integrityCheck(db),
      close: () => { if (db.open) db.close(); },
    };
  } catch (err) {
    db.close();
    throw storageError(err, folder);
  }
}
