// `peft-lab serve` as a person runs it: one URL line on stdout, the real host behind it (web mode, the given data
// folder), the page and the API reachable with the token, and a clean stop on Ctrl+C (SIGINT) or SIGTERM.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebSocketTransport } from '../../../src-renderer/transport/websocket';
import type { WebSocketLike } from '../../../src-renderer/transport/websocket';
import { HostClient } from '../../../src-shared/protocol/client';
import { openSocket, rawRequest } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/peft-lab.js');
const hasBuild = fs.existsSync(path.join(ROOT, 'out/renderer/index.html'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-serve-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  url: URL;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `peft-lab serve` and resolves once it printed its URL. */
function startServe(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: tmp, env: { ...process.env, PEFT_LAB_DATA: '' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 60 s; stderr: ${err}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /^PEFT Lab web mode: (\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ child, url: new URL(m[1]), stdout: () => out, stderr: () => err, exit });
    });
    void exit.then((code) => reject(new Error(`serve exited (${code}) before printing a URL: ${err}`)));
  });
}

describe('peft-lab serve', () => {
  it('has --help with its options', async () => {
    const r = await new Promise<string>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'serve', '--help']);
      let o = '';
      c.stdout.on('data', (d: Buffer) => (o += d.toString()));
      c.on('exit', () => resolve(o));
    });
    expect(r).toContain('Usage: peft-lab serve');
    for (const flag of ['--port', '--data', '--no-build-check']) expect(r).toContain(flag);
  });

  it.skipIf(!hasBuild)('prints the URL, serves the page and the real host, and stops cleanly on SIGINT', async () => {
    const dataDir = path.join(tmp, 'data');
    const s = await startServe(['--port', '0', '--data', dataDir]);
    try {
      expect(s.stdout().trim().split('\n')).toHaveLength(1);
      expect(s.url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(s.url.port);
      const token = s.url.searchParams.get('token')!;
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      const login = await rawRequest(port, `/?token=${token}`);
      expect(login.status).toBe(303);
      const page = await rawRequest(port, '/', { cookie: login.headers['set-cookie']![0].split(';')[0] });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      const opened = await openSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` });
      if (!('ws' in opened)) throw new Error(`refused ${opened.refused}`);
      const client = new HostClient(createWebSocketTransport(opened.ws as unknown as WebSocketLike));
      const info = await client.request('app/info', {});
      expect(info.mode).toBe('web');
      expect(info.dataDir).toBe(dataDir);
      client.close();
      expect(fs.existsSync(dataDir)).toBe(true);
    } finally {
      s.child.kill('SIGINT');
    }
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toContain('PEFT Lab web mode stopped.');
    expect(s.stderr()).not.toMatch(/internal error|\n\s+at /);
  });

  it.skipIf(!hasBuild)('says which port is taken', async () => {
    const first = await startServe(['--data', path.join(tmp, 'data2')]);
    const port = first.url.port;
    try {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', port, '--data', path.join(tmp, 'data3')]);
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(err).toContain(`peft-lab: error: port ${port} is already in use`);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exit).toBe(0);
  });
});
