// Generated outputs: one row per (run or base model) × prompt × adapter step × decoding, with how it was made.
import type Database from 'better-sqlite3';
import type { SampleMeta, SampleRecord } from '../../../src-shared/domain/review';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export type NewSample = Omit<SampleRecord, 'id' | 'createdAt'>;

export interface SamplesRepo {
  insert(s: NewSample): SampleRecord;
  get(id: number): SampleRecord | null;
  /** Every sample of a sweep, oldest first. */
  listBySweep(sweepId: number): SampleRecord[];
}

interface SampleRow {
  id: number; run_id: number | null; sweep_id: number; prompt_id: string; prompt: string; output: string; step: number | null;
  decoding_json: string; tokens_per_second: number | null; length: number | null; created_at: string;
}

function toRecord(r: SampleRow): SampleRecord {
  return {
    id: r.id, sweepId: r.sweep_id, runId: r.run_id, promptId: Number(r.prompt_id), prompt: r.prompt, output: r.output, step: r.step,
    meta: fromJson<SampleMeta>(r.decoding_json), tokensPerSecond: r.tokens_per_second, length: r.length, createdAt: r.created_at,
  };
}

export function createSamplesRepo(db: Database.Database, clock: Clock): SamplesRepo {
  const ins = db.prepare<[Record<string, unknown>], SampleRow>(`INSERT INTO samples
    (run_id, sweep_id, prompt_id, prompt, output, step, decoding_json, tokens_per_second, length, created_at)
    VALUES (@runId, @sweepId, @promptId, @prompt, @output, @step, @meta, @tokensPerSecond, @length, @now) RETURNING *`);
  const one = db.prepare<[number], SampleRow>('SELECT * FROM samples WHERE id = ?');
  const bySweep = db.prepare<[number], SampleRow>('SELECT * FROM samples WHERE sweep_id = ? ORDER BY id');
  return {
    insert: (s) => toRecord(ins.get({ ...s, promptId: String(s.promptId), meta: toJson(s.meta), now: isoNow(clock) }) as SampleRow),
    get: (id) => { const r = one.get(id); return r ? toRecord(r) : null; },
    listBySweep: (sweepId) => bySweep.all(sweepId).map(toRecord),
  };
}
