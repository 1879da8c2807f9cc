// Tags on runs ("baseline", "best", ...): a set of strings per run (minimal; the review screens build on it).
import type Database from 'better-sqlite3';
import type { Clock } from '../clock';
import { isoNow } from '../clock';

export interface TagsRepo {
  /** Adds the tag; adding a tag the run already has does nothing. Returns true when it was added. */
  add(runId: number, tag: string): boolean;
  /** The run's tags, alphabetically. */
  list(runId: number): string[];
  /** Ids of the runs carrying the tag, ascending. */
  runsWith(tag: string): number[];
  remove(runId: number, tag: string): boolean;
}

export function createTagsRepo(db: Database.Database, clock: Clock): TagsRepo {
  const ins = db.prepare<[number, string, string]>('INSERT OR IGNORE INTO tags (run_id, tag, created_at) VALUES (?, ?, ?)');
  const byRun = db.prepare<[number], { tag: string }>('SELECT tag FROM tags WHERE run_id = ? ORDER BY tag');
  const byTag = db.prepare<[string], { run_id: number }>('SELECT run_id FROM tags WHERE tag = ? ORDER BY run_id');
  const del = db.prepare<[number, string]>('DELETE FROM tags WHERE run_id = ? AND tag = ?');
  return {
    add: (runId, tag) => ins.run(runId, tag, isoNow(clock)).changes > 0,
    list: (runId) => byRun.all(runId).map((r) => r.tag),
    runsWith: (tag) => byTag.all(tag).map((r) => r.run_id),
    remove: (runId, tag) => del.run(runId, tag).changes > 0,
  };
}
