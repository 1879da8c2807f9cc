// `peft-lab worker` processes for queue tests and the queue bench: started through bin/peft-lab.js like a person
// would, resolved once each prints its ready line; killed with SIGKILL (with the run workers they started, as when
// a machine vanishes) or stopped with SIGTERM.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/peft-lab.js');

export interface QueueWorkerProcess {
  name: string;
  child: ChildProcess;
  /** Everything it wrote on stderr. */
  log(): string;
  /** SIGKILL to the worker and every process it started (the run workers live in their own process groups). */
  killHard(): void;
  stop(): Promise<void>;
}

/** Child processes of `pid` (from /proc), recursively. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(p), ...descendants(Number(p)));
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function startWorker(url: string, name: string, o: { workDir: string; env?: NodeJS.ProcessEnv; concurrency?: number }): Promise<QueueWorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--name', name, '--work-dir', o.workDir, '--concurrency', String(o.concurrency ?? 1)], {
    env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready: ${err}`)));
  });
  return {
    name, child, log: () => err,
    killHard: () => {
      const pids = [child.pid!, ...descendants(child.pid!)];
      for (const p of pids) {
        try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
