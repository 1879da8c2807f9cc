// Files a run wrote (checkpoints, adapters, logs), by path.
import type Database from 'better-sqlite3';
import type { ArtifactRecord } from '../../../src-shared/domain/records';
import type { Clock } from '../clock';
import { isoNow } from '../clock';

export type NewArtifact = Omit<ArtifactRecord, 'id' | 'createdAt'>;

export interface ArtifactsRepo {
  add(rec: NewArtifact): ArtifactRecord;
  /** Oldest first. */
  list(runId: number): ArtifactRecord[];
}

interface ArtifactRow {
  id: number; run_id: number; kind: ArtifactRecord['kind']; step: number | null; path: string; bytes: number | null;
  created_at: string;
}

function toRecord(r: ArtifactRow): ArtifactRecord {
  return { id: r.id, runId: r.run_id, kind: r.kind, step: r.step, path: r.path, bytes: r.bytes, createdAt: r.created_at };
}

export function createArtifactsRepo(db: Database.Database, clock: Clock): ArtifactsRepo {
  const ins = db.prepare<[Record<string, unknown>], ArtifactRow>(`INSERT INTO artifacts
    (run_id, kind, step, path, bytes, created_at) VALUES (@runId, @kind, @step, @path, @bytes, @createdAt) RETURNING *`);
  const byRun = db.prepare<[number], ArtifactRow>('SELECT * FROM artifacts WHERE run_id = ? ORDER BY id');
  return {
    add: (rec) => toRecord(ins.get({ ...rec, createdAt: isoNow(clock) }) as ArtifactRow),
    list: (runId) => byRun.all(runId).map(toRecord),
  };
}
