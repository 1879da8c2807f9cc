// Who can reach web mode (issue #9, Security), one rule per block, each with the attempts that must fail:
// bound to loopback only; the access token on every HTTP request and WebSocket upgrade, whatever the path (there is
// no download route beside the static files and /ws: every other path is refused alike); the Host header checked
// even with a valid token (DNS rebinding); the Origin of a WebSocket checked even with a valid token and Host; and
// the Content-Security-Policy of every answer.
import * as net from 'node:net';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer } from '../../src-main/host/server/web-server';
import type { WebServer } from '../../src-main/host/server/web-server';
import { builtRenderer, fakeHost, openSocket, rawRequest } from '../host/server/helpers';
import { parseCsp, scriptSources } from './csp';

const site = builtRenderer();
let server: WebServer;
let cookie: string;
let origin: string;

beforeAll(async () => {
  server = await startWebServer({ host: fakeHost(), staticDir: site.staticDir });
  cookie = `peft-lab-token-${server.port}=${server.token}`;
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  site.cleanup();
});

/** Whether a TCP connection to address:port is accepted. */
function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const PATHS = ['/', '/index.html', '/assets/app.js', '/assets/app.css', '/ws', '/artifacts/1/adapter_model.safetensors', '/api/runs/1/download', '/export?sweep=1', '/secret.txt', '/%2e%2e/secret.txt'];

describe('web mode is bound to loopback only', () => {
  it('accepts connections on 127.0.0.1 and refuses them on every other address of this machine', async () => {
    expect(await connects('127.0.0.1', server.port)).toBe(true);
    const others = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal).map((i) => i!.address);
    for (const address of [...others, '::1']) expect(await connects(address, server.port), address).toBe(false);
  });
});

describe('the access token is required on every request', () => {
  it('refuses every path without a token (401), with no page or file in the answer', async () => {
    for (const target of PATHS) {
      for (const method of ['GET', 'HEAD']) {
        const r = await rawRequest(server.port, target, {}, method);
        expect(r.status, `${method} ${target}`).toBe(401);
        expect(r.body).not.toContain('<title>');
        expect(r.body).not.toContain('TOP SECRET');
      }
    }
  });

  it('refuses near-miss tokens in the cookie and in the URL', async () => {
    const t = server.token;
    const wrong = [t.slice(0, -1), `${t}0`, t.toUpperCase(), `${t.slice(0, -1)}${t.endsWith('0') ? '1' : '0'}`, '', ' '.repeat(64), 'null'];
    for (const w of wrong) {
      expect((await rawRequest(server.port, '/assets/app.js', { cookie: `peft-lab-token-${server.port}=${w}` })).status, `cookie ${w}`).toBe(401);
      expect((await rawRequest(server.port, `/assets/app.js?token=${encodeURIComponent(w)}`)).status, `query ${w}`).toBe(401);
    }
    // The right token under another port's cookie name (another server's session) is not this server's.
    expect((await rawRequest(server.port, '/', { cookie: `peft-lab-token-${server.port + 1}=${t}` })).status).toBe(401);
    // And the right one is accepted: the refusals above are about the token, not the request.
    expect((await rawRequest(server.port, '/assets/app.js', { cookie })).status).toBe(200);
  });

  it('refuses the WebSocket without the token or with a wrong one, even from the right page', async () => {
    const ws = `ws://127.0.0.1:${server.port}/ws`;
    expect(await openSocket(ws, { origin })).toEqual({ refused: 401 });
    expect(await openSocket(`${ws}?token=${server.token.slice(1)}`, { origin })).toEqual({ refused: 401 });
    expect(await openSocket(ws, { origin, cookie: `peft-lab-token-${server.port}=${'0'.repeat(64)}` })).toEqual({ refused: 401 });
    const ok = await openSocket(ws, { origin, cookie });
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });
});

describe('the Host header is checked even with a valid token (DNS rebinding)', () => {
  const hostile = (port: number) => [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, 'localhost', '127.0.0.1',
    `127.0.0.1:${port + 1}`, `[::1]:${port}`, `0.0.0.0:${port}`, `2130706433:${port}`, `evil.example`];

  it('refuses pages for a foreign Host (421), with the cookie or the token in the URL', async () => {
    for (const host of hostile(server.port)) {
      for (const [target, headers] of [['/', { cookie }], [`/?token=${server.token}`, {}], ['/assets/app.js', { cookie }]] as const) {
        const r = await rawRequest(server.port, target, { ...headers, host });
        expect(r.status, `${host} ${target}`).toBe(421);
        expect(r.headers['set-cookie'], host).toBeUndefined();
      }
    }
  });

  it('refuses a request without any Host header (HTTP/1.0), with a valid cookie', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: server.port }, () => s.end(`GET / HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`));
      let text = '';
      s.on('data', (d) => (text += d.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 421 /);
    expect(answer).not.toContain('<title>');
  });

  it('refuses the WebSocket for a foreign Host, with a valid cookie and Origin', async () => {
    for (const host of hostile(server.port)) {
      expect(await openSocket(`ws://127.0.0.1:${server.port}/ws`, { origin, cookie, host }), host).toEqual({ refused: 421 });
    }
  });
});

describe('the Origin of a WebSocket is checked even with a valid token and Host', () => {
  it('refuses other sites, other ports, https, null and look-alikes (403)', async () => {
    const p = server.port;
    const origins = [`http://evil.example:${p}`, `http://127.0.0.1:${p + 1}`, `https://127.0.0.1:${p}`, 'null', `http://127.0.0.1:${p}.evil.example`,
      `http://localhost.evil.example:${p}`, `file://`, `http://127.0.0.1`, `http://[::1]:${p}`];
    for (const o of origins) {
      expect(await openSocket(`ws://127.0.0.1:${p}/ws`, { origin: o, cookie }), o).toEqual({ refused: 403 });
      expect(await openSocket(`ws://127.0.0.1:${p}/ws?token=${server.token}`, { origin: o }), o).toEqual({ refused: 403 });
    }
    for (const ok of [`http://127.0.0.1:${p}`, `http://localhost:${p}`]) {
      const opened = await openSocket(`ws://127.0.0.1:${p}/ws`, { origin: ok, cookie });
      expect('ws' in opened, ok).toBe(true);
      if ('ws' in opened) opened.ws.close();
    }
  });
});

describe('the Content-Security-Policy of web mode', () => {
  it('allows scripts from this server only: no inline script, no eval, no wasm eval, no plugins, no framing', async () => {
    for (const [target, headers] of [['/', { cookie }], ['/assets/app.js', { cookie }], ['/missing', { cookie }], ['/', {}]] as const) {
      const r = await rawRequest(server.port, target, headers);
      const csp = parseCsp(String(r.headers['content-security-policy']));
      const scripts = scriptSources(csp);
      expect(scripts, target).toEqual(["'self'"]);
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'wasm-unsafe-eval'", '*', 'data:', 'blob:']) expect(scripts).not.toContain(bad);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('form-action')).toEqual(["'none'"]);
      expect(csp.get('connect-src')).toEqual(["'self'"]);
    }
  });

  it('recognises a policy that would let scripts in (the check can fail)', () => {
    expect(scriptSources(parseCsp("default-src 'self'; script-src 'self' 'unsafe-inline'"))).toContain("'unsafe-inline'");
    expect(scriptSources(parseCsp("style-src 'self'"))).toEqual(['*']);
  });
});
