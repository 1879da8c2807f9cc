// Processes and folders for the fault tests: the `peft-lab` CLI started as a child (optionally through a wrapper such
// as prlimit or setpriv), its output collected, the run workers it started found through /proc, waits for processes
// to end, and the temporary folder holding the tiny study each test file works in.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { until, writeTinyStudy } from './helpers';

type Study = Awaited<ReturnType<typeof writeTinyStudy>>;

/** A temporary folder (mode 0755) with the tiny study written before the file's tests, removed after them. */
export function studyFolder(prefix: string): { root: string; study: () => Study } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(root, 0o755); // an unprivileged user (faults-storage) reads the study from here
  let study: Study | null = null;
  beforeAll(async () => {
    study = await writeTinyStudy(root);
  });
  // A killed worker's process group can still be finishing a write when the files go: retry (ENOTEMPTY) as rm -rf would.
  afterAll(() => fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }));
  return { root, study: () => study! };
}

export const BIN = path.resolve(__dirname, '../../bin/peft-lab.js');

export interface Cli {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `peft-lab ...args`, through `wrapper` (a command and its arguments, e.g. ['prlimit', '--fsize=…']) if given. */
export function startCli(args: string[], wrapper: string[] = [], env: NodeJS.ProcessEnv = {}): Cli {
  const argv = [...wrapper, process.execPath, BIN, ...args];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** Pids of the live children of `pid` (from /proc/<n>/stat: the field after the state is the parent's pid). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until every process of `pids` has ended. */
export function allGone(pids: number[], what: string, timeoutMs = 30_000): Promise<true> {
  return until(what, () => pids.every((p) => !alive(p)) || null, timeoutMs);
}
