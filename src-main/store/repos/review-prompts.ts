// The prompts every run of a sweep answers for review, in order, with the dataset's reference response.
import type Database from 'better-sqlite3';
import type { PromptSource, ReviewPrompt } from '../../../src-shared/domain/review';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export interface NewReviewPrompt {
  text: string;
  fields: Record<string, string>;
  reference: string | null;
  source: PromptSource;
}

export interface ReviewPromptsRepo {
  /** Appends after the sweep's last prompt; returns the new rows in order. */
  add(sweepId: number, prompts: readonly NewReviewPrompt[]): ReviewPrompt[];
  list(sweepId: number): ReviewPrompt[];
  get(id: number): ReviewPrompt | null;
  remove(id: number): boolean;
}

interface PromptRow {
  id: number; sweep_id: number; position: number; text: string; fields_json: string; reference: string | null;
  source: PromptSource; created_at: string;
}

function toRecord(r: PromptRow): ReviewPrompt {
  return {
    id: r.id, sweepId: r.sweep_id, position: r.position, text: r.text, fields: fromJson<Record<string, string>>(r.fields_json),
    reference: r.reference, source: r.source, createdAt: r.created_at,
  };
}

export function createReviewPromptsRepo(db: Database.Database, clock: Clock): ReviewPromptsRepo {
  const ins = db.prepare<[number, number, string, string, string | null, string, string], PromptRow>(`INSERT INTO review_prompts
    (sweep_id, position, text, fields_json, reference, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`);
  const last = db.prepare<[number], { p: number | null }>('SELECT MAX(position) AS p FROM review_prompts WHERE sweep_id = ?');
  const bySweep = db.prepare<[number], PromptRow>('SELECT * FROM review_prompts WHERE sweep_id = ? ORDER BY position, id');
  const one = db.prepare<[number], PromptRow>('SELECT * FROM review_prompts WHERE id = ?');
  const del = db.prepare<[number]>('DELETE FROM review_prompts WHERE id = ?');
  return {
    add: db.transaction((sweepId: number, prompts: readonly NewReviewPrompt[]): ReviewPrompt[] => {
      let position = (last.get(sweepId)?.p ?? -1) + 1;
      const now = isoNow(clock);
      return prompts.map((p) => toRecord(ins.get(sweepId, position++, p.text, toJson(p.fields), p.reference, p.source, now) as PromptRow));
    }),
    list: (sweepId) => bySweep.all(sweepId).map(toRecord),
    get: (id) => { const r = one.get(id); return r ? toRecord(r) : null; },
    remove: (id) => del.run(id).changes > 0,
  };
}
