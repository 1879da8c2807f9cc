// Runs: one row per cell of a sweep, created queued, updated by the scheduler as the worker reports progress.
import type Database from 'better-sqlite3';
import { PeftLabError } from '../../../src-shared/errors';
import type { RunDetail, RunRecord } from '../../../src-shared/domain/records';
import type { SweepCell } from '../../../src-shared/domain/sweep-spec';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { toJson } from '../json';
import type { ArtifactsRepo } from './artifacts';
import type { RunEventsRepo } from './run-events';
import type { RunRow } from './run-row';
import { runDetail, runRecord } from './run-row';
import type { RunPatch } from './run-patch';
import { RUN_PATCH_SQL, runPatchParams } from './run-patch';

export type { RunPatch } from './run-patch';

export interface NewRun {
  cell: SweepCell;
  label: string;
  /** Full run spec snapshot, as the worker will receive it. */
  spec: unknown;
  seed: number;
  modelId: number;
  datasetId: number | null;
  datasetSha256: string | null;
  templateText: string | null;
  maxSteps: number | null;
  trainableParams: number | null;
  allParams: number | null;
  outputDir: string | null;
}

/** How many events RunDetail carries (the newest). */
export const DETAIL_EVENTS = 500;

export interface RunsRepo {
  /** Inserts every row in one transaction, all 'queued'; returns them in the given order. */
  insertMany(sweepId: number, rows: readonly NewRun[]): RunRecord[];
  setOutputDir(id: number, dir: string | null): RunRecord;
  get(id: number): RunRecord | null;
  /** With its artifacts and newest DETAIL_EVENTS events (oldest first). */
  detail(id: number): RunDetail | null;
  /** Ordered by id. */
  list(filter?: { sweepId?: number }): RunRecord[];
  /** The ids of a sweep's runs, ascending (no row decoding). */
  idsOf(sweepId: number): number[];
  /** The oldest queued run, or null. */
  nextQueued(): RunRecord | null;
  /** Sets the given fields (undefined: unchanged; null: cleared), always bumping updatedAt. */
  update(id: number, patch: RunPatch): RunRecord;
  /** Every 'running' run becomes 'interrupted' with `reason`; returns how many. */
  markInFlightInterrupted(reason: string): number;
}

function noRun(id: number): never {
  throw new PeftLabError('BAD_ARGUMENT', `There is no run ${id}.`, { runId: id });
}

export function createRunsRepo(db: Database.Database, clock: Clock, artifacts: ArtifactsRepo, events: RunEventsRepo): RunsRepo {
  const ins = db.prepare<[Record<string, unknown>], RunRow>(`INSERT INTO runs
    (sweep_id, cell_key, cell_json, label, spec_json, seed, model_id, dataset_id, dataset_sha256, template_text,
     status, max_steps, trainable_params, all_params, output_dir, step, queued_at, updated_at)
    VALUES (@sweepId, @cellKey, @cell, @label, @spec, @seed, @modelId, @datasetId, @datasetSha256, @templateText,
     'queued', @maxSteps, @trainableParams, @allParams, @outputDir, 0, @now, @now) RETURNING *`);
  const one = db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?');
  const all = db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY id');
  const bySweep = db.prepare<[number], RunRow>('SELECT * FROM runs WHERE sweep_id = ? ORDER BY id');
  const idsStmt = db.prepare<[number], number>('SELECT id FROM runs WHERE sweep_id = ? ORDER BY id').pluck(true);
  const next = db.prepare<[], RunRow>("SELECT * FROM runs WHERE status = 'queued' ORDER BY id LIMIT 1");
  const setDir = db.prepare<[string | null, string, number], RunRow>(
    'UPDATE runs SET output_dir = ?, updated_at = ? WHERE id = ? RETURNING *');
  const patchStmt = db.prepare<[Record<string, unknown>], RunRow>(RUN_PATCH_SQL);
  const interrupt = db.prepare<[string, string]>(
    "UPDATE runs SET status = 'interrupted', status_reason = ?, updated_at = ? WHERE status = 'running'");

  return {
    insertMany: db.transaction((sweepId: number, rows: readonly NewRun[]): RunRecord[] => {
      const now = isoNow(clock);
      return rows.map((r) => runRecord(ins.get({
        ...r, sweepId, cellKey: r.cell.key, cell: toJson(r.cell), spec: toJson(r.spec), now,
      }) as RunRow));
    }),
    setOutputDir(id, dir) {
      const row = setDir.get(dir, isoNow(clock), id);
      return row ? runRecord(row) : noRun(id);
    },
    get: (id) => { const r = one.get(id); return r ? runRecord(r) : null; },
    detail: db.transaction((id: number): RunDetail | null => {
      const r = one.get(id);
      return r ? runDetail(r, artifacts.list(id), events.list(id, DETAIL_EVENTS)) : null;
    }),
    list: (filter = {}) => (filter.sweepId === undefined ? all.all() : bySweep.all(filter.sweepId)).map(runRecord),
    idsOf: (sweepId) => idsStmt.all(sweepId),
    nextQueued: () => { const r = next.get(); return r ? runRecord(r) : null; },
    update(id, patch) {
      const row = patchStmt.get(runPatchParams(id, patch, isoNow(clock)));
      return row ? runRecord(row) : noRun(id);
    },
    markInFlightInterrupted: (reason) => interrupt.run(reason, isoNow(clock)).changes,
  };
}
