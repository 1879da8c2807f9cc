// Supervises run workers: one child process per run, in its own process group (so stopping a run stops
// everything it started), messages over the IPC channel, stderr kept in the run's worker.log, and a verdict
// when the process ends: finished, failed (the engine said why), stopped (asked to), or interrupted
// (crash, OOM, kill -9: the process ended without saying why).
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import type { HostToWorker, WorkerToHost } from '../../../src-shared/protocol/worker';
import { parseWorkerMessage } from '../../../src-shared/protocol/worker-schema';
import type { WireError } from '../../../src-shared/errors';
import { workerCommand } from './worker-command';

export type WorkerVerdict =
  | { status: 'finished' }
  | { status: 'failed'; error: WireError }
  | { status: 'stopped' }
  | { status: 'interrupted'; reason: string };

export interface WorkerCallbacks {
  onMessage(m: WorkerToHost): void;
  onExit(verdict: WorkerVerdict): void;
}

const STOP_GRACE_MS = 15_000;

export class WorkerProcess {
  private readonly child: ChildProcess;
  private stopRequested = false;
  private lastEvent: TrainEvent | null = null;
  private readonly stderrTail: string[] = [];
  private killTimer: NodeJS.Timeout | null = null;
  readonly exited: Promise<WorkerVerdict>;

  /** `env` is added to the worker's environment (e.g. PEFT_LAB_THREADS, its share of the cores). */
  constructor(job: HostToWorker, logFile: string | null, cb: WorkerCallbacks, env: NodeJS.ProcessEnv = {}) {
    const cmd = workerCommand();
    this.child = fork(cmd.modulePath, [], {
      execPath: cmd.execPath, execArgv: cmd.execArgv, env: { ...cmd.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
    this.child.stdout?.on('data', (d: Buffer) => log?.write(d));
    this.child.stderr?.on('data', (d: Buffer) => {
      log?.write(d);
      this.stderrTail.push(...d.toString('utf8').split('\n').filter((l) => l.trim()));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 20));
    });
    this.child.on('message', (raw: unknown) => {
      const { message: m, problem } = parseWorkerMessage(raw);
      if (!m) {
        // Checked against the shared schema: a malformed message stops this worker, never the host.
        this.stderrTail.push(`protocol error: the worker sent a malformed message (${problem})`);
        this.kill();
        return;
      }
      if (m.kind === 'event') this.lastEvent = m.event;
      cb.onMessage(m);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        if (this.killTimer) clearTimeout(this.killTimer);
        log?.end();
        const verdict = this.verdict(code, signal);
        cb.onExit(verdict);
        resolve(verdict);
      });
    });
    this.child.send(job);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Graceful stop: SIGTERM to the group (the trainer checkpoints and exits), SIGKILL after a grace period. */
  stop(): void {
    this.stopRequested = true;
    this.signalGroup('SIGTERM');
    this.killTimer ??= setTimeout(() => this.signalGroup('SIGKILL'), STOP_GRACE_MS);
  }

  /** Immediate kill of the whole group. */
  kill(): void {
    this.signalGroup('SIGKILL');
  }

  private signalGroup(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  }

  private verdict(code: number | null, signal: NodeJS.Signals | null): WorkerVerdict {
    const e = this.lastEvent;
    if (code === 0 && e?.type === 'finished') return { status: 'finished' };
    if (e?.type === 'failed' && e.error.code !== 'CANCELLED') return { status: 'failed', error: e.error };
    if (this.stopRequested) return { status: 'stopped' };
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const oom = this.stderrTail.find((l) => /heap out of memory|Cannot allocate|OOM|out of memory/i.test(l));
    const last = oom ?? this.stderrTail[this.stderrTail.length - 1];
    return { status: 'interrupted', reason: `the worker process ${how}${last ? ` (${last.trim().slice(0, 300)})` : ''}` };
  }
}

export function runLogFile(outputDir: string): string {
  fs.mkdirSync(outputDir, { recursive: true });
  return path.join(outputDir, 'worker.log');
}
