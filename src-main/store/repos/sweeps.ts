// Sweeps: a spec (the grid) and a status; each record carries how many of its runs are in each run status.
import type Database from 'better-sqlite3';
import { PeftLabError } from '../../../src-shared/errors';
import { RUN_STATUSES } from '../../../src-shared/domain/records';
import type { RunStatus, SweepRecord, SweepStatus } from '../../../src-shared/domain/records';
import type { SweepSpec } from '../../../src-shared/domain/sweep-spec';
import type { ReviewSettings } from '../../../src-shared/domain/review';
import { defaultReviewSettings } from '../../../src-shared/domain/review';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, fromJsonOrNull, toJson } from '../json';

export interface NewSweep { name: string; spec: SweepSpec; status: SweepStatus }

export interface SweepsRepo {
  /** Oldest first. */
  list(): SweepRecord[];
  get(id: number): SweepRecord | null;
  insert(rec: NewSweep): SweepRecord;
  setStatus(id: number, status: SweepStatus): SweepRecord;
  /** Deletes the sweep with its runs and everything they own. Returns false when there was no such sweep. */
  remove(id: number): boolean;
  /** The sweep's review settings as stored (null: never set, the defaults apply). */
  reviewSettings(id: number): ReviewSettings | null;
  setReviewSettings(id: number, settings: ReviewSettings): void;
  /** The settings in force: as stored, or the defaults for the sweep's template. */
  reviewSettingsOrDefault(id: number): ReviewSettings;
}

interface SweepRow { id: number; name: string; spec_json: string; status: SweepStatus; created_at: string; updated_at: string }
interface CountRow { sweep_id: number; status: RunStatus; n: number }

export function zeroCounts(): Record<RunStatus, number> {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
}

function toRecord(r: SweepRow, counts: Record<RunStatus, number>): SweepRecord {
  return {
    id: r.id, name: r.name, spec: fromJson<SweepSpec>(r.spec_json), status: r.status, createdAt: r.created_at,
    updatedAt: r.updated_at, counts,
  };
}

export function createSweepsRepo(db: Database.Database, clock: Clock): SweepsRepo {
  const all = db.prepare<[], SweepRow>('SELECT * FROM sweeps ORDER BY id');
  const one = db.prepare<[number], SweepRow>('SELECT * FROM sweeps WHERE id = ?');
  const allCounts = db.prepare<[], CountRow>('SELECT sweep_id, status, COUNT(*) AS n FROM runs GROUP BY sweep_id, status');
  const oneCounts = db.prepare<[number], CountRow>(
    'SELECT sweep_id, status, COUNT(*) AS n FROM runs WHERE sweep_id = ? GROUP BY status');
  const ins = db.prepare<[string, string, string, string, string], SweepRow>(
    'INSERT INTO sweeps (name, spec_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING *');
  const setSt = db.prepare<[string, string, number]>('UPDATE sweeps SET status = ?, updated_at = ? WHERE id = ?');
  const del = db.prepare<[number]>('DELETE FROM sweeps WHERE id = ?');
  const review = db.prepare<[number], { review_json: string | null }>('SELECT review_json FROM sweeps WHERE id = ?');
  const setReview = db.prepare<[string, number]>('UPDATE sweeps SET review_json = ? WHERE id = ?');

  function countsOf(rows: CountRow[]): Map<number, Record<RunStatus, number>> {
    const bySweep = new Map<number, Record<RunStatus, number>>();
    for (const r of rows) {
      let c = bySweep.get(r.sweep_id);
      if (!c) bySweep.set(r.sweep_id, (c = zeroCounts()));
      c[r.status] = r.n;
    }
    return bySweep;
  }
  function get(id: number): SweepRecord | null {
    const row = one.get(id);
    return row ? toRecord(row, countsOf(oneCounts.all(id)).get(id) ?? zeroCounts()) : null;
  }

  return {
    list: db.transaction(() => {
      const counts = countsOf(allCounts.all());
      return all.all().map((r) => toRecord(r, counts.get(r.id) ?? zeroCounts()));
    }),
    get,
    insert({ name, spec, status }) {
      const now = isoNow(clock);
      return toRecord(ins.get(name, toJson(spec), status, now, now) as SweepRow, zeroCounts());
    },
    setStatus(id, status) {
      if (setSt.run(status, isoNow(clock), id).changes === 0) {
        throw new PeftLabError('BAD_ARGUMENT', `There is no sweep ${id}.`, { sweepId: id });
      }
      return get(id) as SweepRecord;
    },
    remove: (id) => del.run(id).changes > 0,
    reviewSettings: (id) => fromJsonOrNull<ReviewSettings>(review.get(id)?.review_json ?? null),
    reviewSettingsOrDefault(id) {
      const stored = fromJsonOrNull<ReviewSettings>(review.get(id)?.review_json ?? null);
      return stored ?? defaultReviewSettings(get(id)?.spec.template ?? { kind: 'alpaca' });
    },
    setReviewSettings(id, settings) {
      if (setReview.run(toJson(settings), id).changes === 0) throw new PeftLabError('BAD_ARGUMENT', `There is no sweep ${id}.`, { sweepId: id });
    },
  };
}
