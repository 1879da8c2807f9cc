// A throwaway Redis for queue tests and the queue bench: redis-server (Debian's package) on 127.0.0.1 and a free
// port, data in a temporary folder, no snapshots (or an append-only file when a test restarts it), stopped at the end.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

export const REDIS_SERVER = process.env.PEFT_LAB_REDIS_SERVER ?? '/usr/bin/redis-server';

export function redisInstalled(): boolean {
  return fs.existsSync(REDIS_SERVER);
}

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server in `dir`; resolves once it accepts connections. */
export async function startRedis(dir: string, o: { appendOnly?: boolean; port?: number } = {}): Promise<TestRedis> {
  fs.mkdirSync(dir, { recursive: true });
  const port = o.port ?? await freePort();
  const child: ChildProcess = spawn(REDIS_SERVER, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', o.appendOnly ? 'yes' : 'no',
    '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not accept connections on ${port}: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
