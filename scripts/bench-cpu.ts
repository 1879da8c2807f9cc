// Where the CPU went while a benchmark ran (Linux /proc; elsewhere every figure is NaN): this process, its child
// processes (run workers, sampled while they live), and everything else on the machine. On a shared machine the
// last figure says whether a parallel-speedup measurement meant anything.
import * as fs from 'node:fs';

/** USER_HZ, the unit of /proc's CPU times (100 on every Linux that matters here). */
const HZ = 100;

function readSafe(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine since boot (all cores; idle and iowait excluded). */
function machineBusy(): number {
  const line = readSafe('/proc/stat')?.split('\n')[0];
  if (!line) return NaN;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - v[3] - v[4]) / HZ;
}

/** [ppid, utime+stime seconds] of a process, from /proc/PID/stat (fields after the command's closing paren). */
function procStat(pid: string): [number, number] | null {
  const s = readSafe(`/proc/${pid}/stat`);
  if (!s) return null;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return [Number(f[1]), (Number(f[11]) + Number(f[12])) / HZ];
}

export interface CpuSplit {
  /** Core-seconds used by this process. */
  self: number;
  /** Core-seconds used by this process's children (each child's last sample). */
  children: number;
  /** Core-seconds used by everything else on the machine. */
  others: number;
}

/** Samples the CPU use of this process's children every `everyMs` until stop(). */
export class CpuMeter {
  private readonly self0 = process.cpuUsage();
  private readonly machine0 = machineBusy();
  private readonly seen = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 200) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    let pids: string[];
    try {
      pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      const st = procStat(pid);
      if (st && st[0] === process.pid) this.seen.set(pid, Math.max(st[1], this.seen.get(pid) ?? 0));
    }
  }

  stop(): CpuSplit {
    this.sample();
    clearInterval(this.timer);
    const u = process.cpuUsage(this.self0);
    const self = (u.user + u.system) / 1e6;
    const children = [...this.seen.values()].reduce((a, b) => a + b, 0);
    return { self, children, others: machineBusy() - this.machine0 - self - children };
  }
}
