// Blind pairwise judgements: which of two samples of one prompt a rater preferred (or a tie, or skipped).
import type Database from 'better-sqlite3';
import type { JudgementRecord, Verdict } from '../../../src-shared/domain/review';
import type { Clock } from '../clock';
import { isoNow } from '../clock';

export type NewJudgement = Omit<JudgementRecord, 'id' | 'createdAt'>;

export interface JudgementsRepo {
  add(j: NewJudgement): JudgementRecord;
  /** Oldest first. */
  list(sweepId: number): JudgementRecord[];
}

interface JudgementRow {
  id: number; sweep_id: number; prompt_id: string; left_sample_id: number; right_sample_id: number; verdict: Verdict;
  rater: string; repeat_of: number | null; created_at: string;
}

function toRecord(r: JudgementRow): JudgementRecord {
  return {
    id: r.id, sweepId: r.sweep_id, promptId: Number(r.prompt_id), leftSampleId: r.left_sample_id, rightSampleId: r.right_sample_id,
    verdict: r.verdict, rater: r.rater, repeatOf: r.repeat_of, createdAt: r.created_at,
  };
}

export function createJudgementsRepo(db: Database.Database, clock: Clock): JudgementsRepo {
  const ins = db.prepare<[Record<string, unknown>], JudgementRow>(`INSERT INTO judgements
    (sweep_id, prompt_id, left_sample_id, right_sample_id, verdict, rater, repeat_of, created_at)
    VALUES (@sweepId, @promptId, @leftSampleId, @rightSampleId, @verdict, @rater, @repeatOf, @now) RETURNING *`);
  const bySweep = db.prepare<[number], JudgementRow>('SELECT * FROM judgements WHERE sweep_id = ? ORDER BY id');
  return {
    add: (j) => toRecord(ins.get({ ...j, promptId: String(j.promptId), now: isoNow(clock) }) as JudgementRow),
    list: (sweepId) => bySweep.all(sweepId).map(toRecord),
  };
}
