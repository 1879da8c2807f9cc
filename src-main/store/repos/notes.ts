// Free-text notes a person attaches to a run, a sweep or a sample (minimal; the review screens build on it).
// NoteRecord belongs in src-shared/domain/records.ts once the protocol exposes notes.
import type Database from 'better-sqlite3';
import type { Clock } from '../clock';
import { isoNow } from '../clock';

export type NoteTargetKind = 'run' | 'sweep' | 'sample';

export interface NoteRecord {
  id: number;
  targetKind: NoteTargetKind;
  targetId: number;
  text: string;
  createdAt: string;
}

export interface NotesRepo {
  add(targetKind: NoteTargetKind, targetId: number, text: string): NoteRecord;
  /** Oldest first. */
  list(targetKind: NoteTargetKind, targetId: number): NoteRecord[];
  remove(id: number): boolean;
}

interface NoteRow { id: number; target_kind: NoteTargetKind; target_id: number; text: string; created_at: string }

function toRecord(r: NoteRow): NoteRecord {
  return { id: r.id, targetKind: r.target_kind, targetId: r.target_id, text: r.text, createdAt: r.created_at };
}

export function createNotesRepo(db: Database.Database, clock: Clock): NotesRepo {
  const ins = db.prepare<[string, number, string, string], NoteRow>(
    'INSERT INTO notes (target_kind, target_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING *');
  const byTarget = db.prepare<[string, number], NoteRow>(
    'SELECT * FROM notes WHERE target_kind = ? AND target_id = ? ORDER BY id');
  const del = db.prepare<[number]>('DELETE FROM notes WHERE id = ?');
  return {
    add: (kind, id, text) => toRecord(ins.get(kind, id, text, isoNow(clock)) as NoteRow),
    list: (kind, id) => byTarget.all(kind, id).map(toRecord),
    remove: (id) => del.run(id).changes > 0,
  };
}
