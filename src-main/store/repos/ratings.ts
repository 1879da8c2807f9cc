// A person's rating of one sample: a 1–5 score (or none yet), quick flags and a note; one per sample, updated in place.
import type Database from 'better-sqlite3';
import type { RatingRecord, ReviewFlag } from '../../../src-shared/domain/review';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export interface RatingsRepo {
  /** Creates or replaces the sample's rating. */
  set(sampleId: number, r: { score: number | null; flags: readonly ReviewFlag[]; note: string | null }): RatingRecord;
  get(sampleId: number): RatingRecord | null;
  /** Ratings of every sample of a sweep. */
  listBySweep(sweepId: number): RatingRecord[];
  remove(sampleId: number): boolean;
}

interface RatingRow { sample_id: number; score: number | null; flags_json: string; note: string | null; updated_at: string }

function toRecord(r: RatingRow): RatingRecord {
  return { sampleId: r.sample_id, score: r.score, flags: fromJson<ReviewFlag[]>(r.flags_json), note: r.note, updatedAt: r.updated_at };
}

export function createRatingsRepo(db: Database.Database, clock: Clock): RatingsRepo {
  const put = db.prepare<[number, number | null, string, string | null, string, string], RatingRow>(`INSERT INTO ratings
    (sample_id, score, flags_json, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (sample_id) DO UPDATE SET score = excluded.score, flags_json = excluded.flags_json, note = excluded.note,
    updated_at = excluded.updated_at RETURNING *`);
  const one = db.prepare<[number], RatingRow>('SELECT * FROM ratings WHERE sample_id = ?');
  const bySweep = db.prepare<[number], RatingRow>(
    'SELECT r.* FROM ratings r JOIN samples s ON s.id = r.sample_id WHERE s.sweep_id = ? ORDER BY r.sample_id');
  const del = db.prepare<[number]>('DELETE FROM ratings WHERE sample_id = ?');
  return {
    set(sampleId, r) {
      const now = isoNow(clock);
      return toRecord(put.get(sampleId, r.score, toJson([...r.flags]), r.note, now, now) as RatingRow);
    },
    get: (sampleId) => { const r = one.get(sampleId); return r ? toRecord(r) : null; },
    listBySweep: (sweepId) => bySweep.all(sweepId).map(toRecord),
    remove: (sampleId) => del.run(sampleId).changes > 0,
  };
}
