// The event log of a run (progress milestones, checkpoints, failures), payloads as JSON.
import type Database from 'better-sqlite3';
import type { RunEventRecord } from '../../../src-shared/domain/records';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export interface RunEventsRepo {
  add(runId: number, type: string, payload: unknown): RunEventRecord;
  /** The newest `limit` events of the run, returned oldest first. */
  list(runId: number, limit: number): RunEventRecord[];
}

interface RunEventRow { id: number; run_id: number; time: string; type: string; payload_json: string }

function toRecord(r: RunEventRow): RunEventRecord {
  return { id: r.id, runId: r.run_id, time: r.time, type: r.type, payload: fromJson<unknown>(r.payload_json) };
}

export function createRunEventsRepo(db: Database.Database, clock: Clock): RunEventsRepo {
  const ins = db.prepare<[number, string, string, string], RunEventRow>(
    'INSERT INTO run_events (run_id, time, type, payload_json) VALUES (?, ?, ?, ?) RETURNING *');
  const newest = db.prepare<[number, number], RunEventRow>(
    'SELECT * FROM (SELECT * FROM run_events WHERE run_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id');
  return {
    add: (runId, type, payload) => toRecord(ins.get(runId, isoNow(clock), type, toJson(payload ?? null)) as RunEventRow),
    list: (runId, limit) => newest.all(runId, limit).map(toRecord),
  };
}
