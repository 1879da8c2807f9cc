// The WebSocket side of web mode: who may upgrade (Origin, Host, token), and the protocol end to end — a HostClient
// over the renderer's WebSocket transport against the host's ws transport, served by a fake HostCore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebServer } from '../../../src-main/host/server/web-server';
import type { WebServer } from '../../../src-main/host/server/web-server';
import { createWebSocketTransport } from '../../../src-renderer/transport/websocket';
import type { WebSocketLike } from '../../../src-renderer/transport/websocket';
import { PeftLabError } from '../../../src-shared/errors';
import { HostClient } from '../../../src-shared/protocol/client';
import { builtRenderer, closeEvent, fakeHost, openSocket } from './helpers';
import type { FakeHost } from './helpers';

const site = builtRenderer();
let host: FakeHost;
let server: WebServer;
let wsUrl: string;
let origin: string;
let cookie: string;

beforeAll(async () => {
  host = fakeHost();
  server = await startWebServer({ host, staticDir: site.staticDir });
  wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  origin = `http://127.0.0.1:${server.port}`;
  cookie = `peft-lab-token-${server.port}=${server.token}`;
});
afterAll(async () => {
  await server.close();
  site.cleanup();
});

async function client(): Promise<{ client: HostClient; ws: WebSocket }> {
  const opened = await openSocket(wsUrl, { origin, cookie });
  if (!('ws' in opened)) throw new Error(`refused: ${opened.refused}`);
  return { client: new HostClient(createWebSocketTransport(opened.ws as unknown as WebSocketLike)), ws: opened.ws };
}

describe('who may open the WebSocket', () => {
  it('accepts this server\'s own origin with the cookie, or with the token in the URL', async () => {
    for (const o of [origin, `http://localhost:${server.port}`]) {
      const r = await openSocket(wsUrl, { origin: o, cookie });
      expect('ws' in r, o).toBe(true);
      if ('ws' in r) r.ws.close();
    }
    const viaQuery = await openSocket(`${wsUrl}?token=${server.token}`, { origin });
    expect('ws' in viaQuery).toBe(true);
    if ('ws' in viaQuery) viaQuery.ws.close();
  });

  it('refuses another site\'s origin, and no origin at all', async () => {
    for (const o of ['http://evil.example', `http://evil.example:${server.port}`, `https://127.0.0.1:${server.port}`, 'null', undefined]) {
      expect(await openSocket(wsUrl, { origin: o, cookie }), String(o)).toEqual({ refused: 403 });
    }
  });

  it('refuses a missing or wrong token, a foreign Host, and other paths', async () => {
    expect(await openSocket(wsUrl, { origin })).toEqual({ refused: 401 });
    expect(await openSocket(wsUrl, { origin, cookie: `peft-lab-token-${server.port}=nope` })).toEqual({ refused: 401 });
    expect(await openSocket(`${wsUrl}?token=${'0'.repeat(64)}`, { origin })).toEqual({ refused: 401 });
    expect(await openSocket(wsUrl, { origin, cookie, host: `evil.example:${server.port}` })).toEqual({ refused: 421 });
    expect(await openSocket(`ws://127.0.0.1:${server.port}/other`, { origin, cookie })).toEqual({ refused: 404 });
  });
});

describe('the protocol over the WebSocket', () => {
  it('answers a request with its typed result', async () => {
    const { client: c } = await client();
    const result = await c.request('settings/set', { concurrency: 2 });
    expect(result).toEqual({ method: 'settings/set', params: { concurrency: 2 } });
    c.close();
  });

  it('rebuilds an error result as a PeftLabError with its code and details', async () => {
    const { client: c } = await client();
    const err = await c.request('runs/get', { id: 404 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeftLabError);
    expect((err as PeftLabError).code).toBe('FILE_NOT_FOUND');
    expect((err as PeftLabError).message).toBe('run 404 does not exist');
    expect((err as PeftLabError).details).toEqual({ id: 404 });
    c.close();
  });

  it('receives a pushed event', async () => {
    const { client: c } = await client();
    const events: unknown[] = [];
    c.on('models/changed', (p) => events.push(p));
    await c.request('models/list', {});
    expect(events).toEqual([null]);
    c.close();
  });

  it('delivers progress, and a cancel to the host', async () => {
    const { client: c } = await client();
    const abort = new AbortController();
    const progress: unknown[] = [];
    const pending = c.request('sweeps/probe', { spec: {} as never }, {
      signal: abort.signal,
      onProgress: (p) => {
        progress.push(p);
        abort.abort();
      },
    });
    const err = await pending.catch((e: unknown) => e);
    expect(progress).toEqual([{ cellKey: 'a', done: 1, total: 4, stepSeconds: null }]);
    expect((err as PeftLabError).code).toBe('CANCELLED');
    expect(host.cancels.length).toBeGreaterThan(0);
    c.close();
  });

  it('closes only the connection that sends a malformed frame; the server keeps serving the others', async () => {
    const healthy = await client();
    const bad = await client();
    const closed = closeEvent(bad.ws);
    bad.ws.send('{ not json');
    expect(await closed).toMatchObject({ code: 1007 });
    await expect(bad.client.request('settings/get', {})).rejects.toThrow(/not connected|closed/);
    expect(await healthy.client.request('settings/get', {})).toEqual({ method: 'settings/get', params: {} });
    const fresh = await client();
    expect(await fresh.client.request('app/info', {})).toEqual({ method: 'app/info', params: {} });
    healthy.client.close();
    fresh.client.close();
  });

  it('closes a connection that sends a non-message, a binary frame, or a frame over 16 MiB', async () => {
    const cases: [string | Buffer, number][] = [
      ['{"kind":"request","id":"x"}', 1007],
      [Buffer.from([1, 2, 3]), 1003],
      ['x'.repeat(16 * 1024 * 1024 + 1), 1009],
    ];
    for (const [frame, code] of cases) {
      const { ws } = await client();
      const closed = closeEvent(ws);
      ws.send(frame);
      expect((await closed).code).toBe(code);
    }
  });

  it('tells the client why the connection closed', async () => {
    const { client: c, ws } = await client();
    const pending = c.request('sweeps/probe', { spec: {} as never });
    ws.terminate();
    await expect(pending).rejects.toThrow(/connection to the host closed/);
  });
});

describe('closing the server', () => {
  it('detaches every connection from the host and closes its socket', async () => {
    const h = fakeHost();
    const s = await startWebServer({ host: h, staticDir: site.staticDir });
    const opened = await openSocket(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`, { origin: `http://127.0.0.1:${s.port}` });
    if (!('ws' in opened)) throw new Error('refused');
    const closed = closeEvent(opened.ws);
    await s.close();
    expect((await closed).code).toBe(1001);
    expect(h.connections).toBe(1);
    expect(h.detached).toBe(1);
  });
});
