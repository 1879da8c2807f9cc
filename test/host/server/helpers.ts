// Test helpers for the web server: a fake HostCore that serves connections like the real host would (echo results,
// an error with a code, progress and cancel on a long request, a pushed event), a built renderer in a temp folder,
// raw HTTP requests with any Host header, and WebSocket clients with any Origin/cookie.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { PeftLabError, errorToWire } from '../../../src-shared/errors';
import type { ClientMessage, ServerMessage, Transport } from '../../../src-shared/protocol/wire';
import type { HostCore } from '../../../src-main/host/host';

export type FakeHost = Pick<HostCore, 'attach' | 'inFlight' | 'shutdown'> & {
  connections: number;
  detached: number;
  cancels: number[];
  shutdowns: number;
  runs: number;
};

/** Serves one connection: 'runs/get' with id 404 fails with FILE_NOT_FOUND, 'sweeps/probe' streams progress until
 * cancelled, 'models/list' pushes a 'models/changed' event before answering, anything else echoes its params. */
function serveFake(fake: FakeHost, t: Transport<ClientMessage, ServerMessage>): () => void {
  const off = t.onMessage((m) => {
    if (m.kind === 'cancel') {
      fake.cancels.push(m.id);
      t.send({ kind: 'response', id: m.id, ok: false, error: errorToWire(new PeftLabError('CANCELLED', 'cancelled')) });
      return;
    }
    const params = m.params as { id?: number } | undefined;
    if (m.method === 'runs/get' && params?.id === 404) {
      t.send({ kind: 'response', id: m.id, ok: false, error: errorToWire(new PeftLabError('FILE_NOT_FOUND', 'run 404 does not exist', { id: 404 })) });
    } else if (m.method === 'sweeps/probe') {
      t.send({ kind: 'progress', id: m.id, progress: { cellKey: 'a', done: 1, total: 4, stepSeconds: null } });
    } else if (m.method === 'models/list') {
      t.send({ kind: 'event', name: 'models/changed', payload: null });
      t.send({ kind: 'response', id: m.id, ok: true, result: [] });
    } else {
      t.send({ kind: 'response', id: m.id, ok: true, result: { method: m.method, params: m.params } });
    }
  });
  return () => {
    fake.detached++;
    off();
  };
}

export function fakeHost(): FakeHost {
  const fake: FakeHost = {
    connections: 0,
    detached: 0,
    cancels: [],
    shutdowns: 0,
    runs: 0,
    attach(t) {
      fake.connections++;
      return serveFake(fake, t);
    },
    inFlight: () => ({ runs: fake.runs, labels: Array.from({ length: fake.runs }, (_, i) => `run ${i + 1}`) }),
    async shutdown() {
      fake.shutdowns++;
    },
  };
  return fake;
}

/** A temp folder with static/ (a tiny built renderer) and secret.txt beside it, outside static/. */
export function builtRenderer(): { root: string; staticDir: string; cleanup(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-web-'));
  const staticDir = path.join(root, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>PEFT Lab</title><script type="module" src="./assets/app.js"></script>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("app");');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.css'), 'body{}');
  fs.writeFileSync(path.join(staticDir, 'assets', 'font.woff2'), 'w');
  fs.writeFileSync(path.join(staticDir, 'assets', 'blob.xyz'), 'x');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
  return { root, staticDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with exactly the given target and headers (fetch would normalise the path and refuse to set Host). */
export function rawRequest(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with the socket once open, or with the HTTP status that refused the upgrade. */
export function openSocket(url: string, opts: { origin?: string; cookie?: string; host?: string } = {}): Promise<{ ws: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.host) headers.host = opts.host;
    const ws = new WebSocket(url, { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => reject(err));
  });
}

export function closeEvent(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
}
