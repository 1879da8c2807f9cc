// One run trained through the queue, as the host follows it: the entries of its job's event stream are applied to
// the store through the same RunMonitor that follows local workers, so a remote run's rows look exactly like a
// local one's. Artifacts named by an entry are copied from Redis into the run's own output folder on the host first;
// then the entries and the stream cursor are written in one SQLite transaction, so each entry is applied once even
// if the host dies halfway. Entries of a delivery that lost its lease (another worker claimed the cell since) are
// ignored; a point delivered twice replaces itself ((run, name, step) is the metrics table's key).
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import type { RunRecord } from '../../src-shared/domain/records';
import { checkpointsDir, stepDirName } from '../engine/train/checkpoint';
import { RunMonitor } from '../host/runs/run-monitor';
import type { WorkerVerdict } from '../host/runs/supervisor';
import type { HostServices } from '../host/services';
import { downloadFilesInto, downloadFolder } from './artifacts';
import type { RemoteMessage, RemoteVerdict } from './messages';
import type { RunQueueRepo } from './run-queue-repo';

/** One stream entry as XREAD/XRANGE return it: its id and its field/value list. */
export type StreamEntry = [id: string, fields: string[]];

export class RemoteRun {
  /** Lock token of the delivery the host follows (the newest claim); null until one is seen. */
  private token: string | null = null;
  private monitor: RunMonitor;
  /** How the last delivery said it ended. */
  lastVerdict: RemoteVerdict | null = null;
  /** Entries ignored because their delivery had lost the cell. */
  staleEntries = 0;
  stopRequested = false;

  constructor(private readonly s: HostServices, private readonly repo: RunQueueRepo, readonly runId: number, readonly sweepId: number,
    readonly jobId: string, public cursor: string, private readonly output: string) {
    this.monitor = new RunMonitor(s, runId);
  }

  /** Copies the artifacts these entries name, then applies the entries and moves the cursor, in one transaction. */
  async apply(redis: Redis, entries: readonly StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const parsed = entries.map(([id, fields]) => ({ id, m: JSON.parse(fields[fields.indexOf('m') + 1]) as RemoteMessage }));
    const copied = new Map<string, string | null>();
    let token = this.token;
    for (const { id, m } of parsed) {
      if (m.kind === 'claim') token = m.token;
      if (m.kind !== 'artifact' || (token !== null && m.token !== token)) continue;
      token ??= m.token;
      const dir = m.artifact === 'checkpoint' ? path.join(checkpointsDir(this.output), stepDirName(m.step)) : this.output;
      const ok = m.artifact === 'checkpoint' ? await downloadFolder(redis, m.key, dir) : await downloadFilesInto(redis, m.key, dir);
      copied.set(id, ok ? dir : null);
    }
    const last = parsed[parsed.length - 1].id;
    this.s.store.db.transaction(() => {
      for (const { id, m } of parsed) this.applyOne(m, copied.get(id) ?? null);
      this.s.metrics.flush();
      this.repo.setCursor(this.runId, last);
    })();
    this.cursor = last;
  }

  /** The run's end, once BullMQ's job state is final and every entry is applied. */
  finish(verdict: WorkerVerdict): RunRecord {
    return this.monitor.onExit(verdict);
  }

  private applyOne(m: RemoteMessage, copiedDir: string | null): void {
    const { s, runId } = this;
    if (m.kind === 'claim') return this.claim(m);
    if (this.token !== null && m.token !== this.token) {
      this.staleEntries += 1;
      return;
    }
    this.token ??= m.token;
    switch (m.kind) {
      case 'run':
        return this.monitor.onMessage(m.message);
      case 'artifact':
        // Written again by a later delivery (resumed from an earlier checkpoint, or a cell delivered twice): the
        // files were refreshed above; the row stays one.
        if (s.store.artifacts.list(runId).some((a) => a.kind === m.artifact && a.step === m.step)) return;
        if (copiedDir === null) {
          s.store.runEvents.add(runId, 'queue:artifact-missing', { artifact: m.artifact, step: m.step, reason: 'replaced in Redis before the host copied it' });
        } else if (m.artifact === 'checkpoint') {
          this.monitor.onMessage({ kind: 'event', event: { type: 'checkpoint', step: m.step, path: copiedDir } });
        } else {
          const f = m.finished ?? { finalLoss: null, valLoss: null, seconds: 0 };
          this.monitor.onMessage({ kind: 'event', event: { type: 'finished', step: m.step, adapterPath: copiedDir, ...f } });
        }
        return;
      case 'verdict':
        this.lastVerdict = m.verdict;
        s.store.runEvents.add(runId, 'queue:delivery-ended', m.verdict);
        if (m.verdict.status === 'interrupted') {
          s.bus.runUpdated(s.store.runs.update(runId, { status: 'queued', statusReason: `${m.verdict.reason}; back in the queue, it resumes from its last uploaded checkpoint` }));
        }
        return;
    }
  }

  private claim(m: Extract<RemoteMessage, { kind: 'claim' }>): void {
    const { s, runId } = this;
    this.token = m.token;
    this.lastVerdict = null;
    this.monitor = new RunMonitor(s, runId);
    const resumed = m.resumeStep !== null;
    const startedAt = s.store.runs.get(runId)?.startedAt ?? new Date().toISOString();
    this.repo.setWorker(runId, m.worker);
    s.bus.runUpdated(s.store.runs.update(runId, {
      status: 'running', startedAt, error: null,
      statusReason: resumed ? `resumed from its checkpoint at step ${m.resumeStep} on ${m.worker}` : null,
    }));
    s.store.runEvents.add(runId, resumed ? 'status:resumed' : 'status:running', { worker: m.worker, resumeStep: m.resumeStep, jobId: this.jobId });
  }

  /** Puts the row back to match the job's state in Redis (a restarted host, or a lease that ran out). */
  reconcile(state: string): void {
    const { s, runId } = this;
    const run = s.store.runs.get(runId);
    if (!run) return;
    if ((state === 'waiting' || state === 'delayed' || state === 'prioritized') && run.status !== 'queued') {
      const who = run.worker ?? 'its worker';
      const why = this.lastVerdict?.status === 'stopped' ? `${who} shut down` : `${who} stopped answering (its lease ran out)`;
      const reason = run.status === 'running' ? `${why}; back in the queue, it resumes from its last uploaded checkpoint` : 'waiting for a queue worker';
      s.bus.runUpdated(s.store.runs.update(runId, { status: 'queued', statusReason: reason }));
    } else if (state === 'active' && run.status === 'interrupted') {
      s.bus.runUpdated(s.store.runs.update(runId, { status: 'running', statusReason: `re-attached: still training on ${run.worker ?? 'a queue worker'}` }));
    }
  }
}
