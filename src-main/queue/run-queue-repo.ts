// The queue's columns of the runs table (migration 7): which worker trains a run, the BullMQ job of its current
// attempt and how far the host has applied that job's event stream. Statements are prepared once per host.
import type Database from 'better-sqlite3';
import { PeftLabError } from '../../src-shared/errors';
import { INTERRUPTED_REASON } from '../store/db';

export interface QueuedRunRow {
  runId: number;
  jobId: string;
  cursor: string;
}

export interface RunQueueRepo {
  /** The queue worker now training the run (shown in the runs table). */
  setWorker(runId: number, worker: string): void;
  /** Points the run at a new job (its stream not read yet). */
  setJob(runId: number, jobId: string): void;
  setCursor(runId: number, cursor: string): void;
  job(runId: number): { jobId: string | null; cursor: string };
  /** Runs whose job may still be in flight: queued or running, or left by a host that stopped while they ran. */
  inFlight(): QueuedRunRow[];
  /** Ids of queued runs, oldest first. */
  queuedIds(): number[];
}

/** Where a job's stream is read from before any entry was applied. */
export const STREAM_START = '0-0';

interface Row { id: number; queue_job: string | null; queue_cursor: string | null }

export function createRunQueueRepo(db: Database.Database): RunQueueRepo {
  const cols = new Set((db.prepare("SELECT name FROM pragma_table_info('runs')").all() as { name: string }[]).map((c) => c.name));
  if (!cols.has('queue_job')) {
    throw new PeftLabError('STORE_INVALID', `${db.name}: the runs table has no queue columns (migration run_queue, 007_run_queue.ts, is not applied); this build cannot follow a queue`);
  }
  const setWorker = db.prepare<[string, number]>('UPDATE runs SET worker = ? WHERE id = ?');
  const setJob = db.prepare<[string, number]>('UPDATE runs SET queue_job = ?, queue_cursor = NULL WHERE id = ?');
  const setCursor = db.prepare<[string, number]>('UPDATE runs SET queue_cursor = ? WHERE id = ?');
  const one = db.prepare<[number], Row>('SELECT id, queue_job, queue_cursor FROM runs WHERE id = ?');
  const inFlight = db.prepare<[string], Row>(`SELECT id, queue_job, queue_cursor FROM runs WHERE queue_job IS NOT NULL
    AND (status IN ('queued', 'running') OR (status = 'interrupted' AND status_reason = ?)) ORDER BY id`);
  const queued = db.prepare<[], { id: number }>("SELECT id FROM runs WHERE status = 'queued' ORDER BY id");
  return {
    setWorker: (runId, worker) => { setWorker.run(worker, runId); },
    setJob: (runId, jobId) => { setJob.run(jobId, runId); },
    setCursor: (runId, cursor) => { setCursor.run(cursor, runId); },
    job: (runId) => {
      const r = one.get(runId);
      return { jobId: r?.queue_job ?? null, cursor: r?.queue_cursor ?? STREAM_START };
    },
    inFlight: () => inFlight.all(INTERRUPTED_REASON).map((r) => ({ runId: r.id, jobId: r.queue_job!, cursor: r.queue_cursor ?? STREAM_START })),
    queuedIds: () => queued.all().map((r) => r.id),
  };
}
