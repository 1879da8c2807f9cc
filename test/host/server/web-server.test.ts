// The web server's HTTP side: the printed URL, the token → cookie exchange, the Host-header check against DNS
// rebinding, static files (types, security headers, traversal refused) and a clear error without a build.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControl } from '../../../src-main/host/server/static-files';
import { startWebServer } from '../../../src-main/host/server/web-server';
import type { WebServer } from '../../../src-main/host/server/web-server';
import { isPeftLabError } from '../../../src-shared/errors';
import { builtRenderer, fakeHost, rawRequest } from './helpers';

const site = builtRenderer();
let server: WebServer;
let cookie: string;

beforeAll(async () => {
  server = await startWebServer({ host: fakeHost(), staticDir: site.staticDir });
  cookie = `peft-lab-token-${server.port}=${server.token}`;
});
afterAll(async () => {
  await server.close();
  site.cleanup();
});

describe('the printed URL', () => {
  it('is http://127.0.0.1:PORT/?token=<32 random bytes as hex>', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('listens on 127.0.0.1 only', async () => {
    const viaOtherAddress = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '::1', port: server.port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    expect(viaOtherAddress).toBe(false);
  });

  it('uses a given token, and refuses one unfit for a URL and a cookie', async () => {
    const other = await startWebServer({ host: fakeHost(), staticDir: site.staticDir, token: 'a-fixed-token-for-tests' });
    expect(other.url.endsWith('?token=a-fixed-token-for-tests')).toBe(true);
    await other.close();
    await expect(startWebServer({ host: fakeHost(), staticDir: site.staticDir, token: 'short; x' })).rejects.toThrow(/access token/);
  });

  it('says which port is taken', async () => {
    const err = await startWebServer({ host: fakeHost(), staticDir: site.staticDir, port: server.port }).catch((e: unknown) => e);
    expect(isPeftLabError(err, 'BAD_ARGUMENT')).toBe(true);
    expect((err as Error).message).toContain(`port ${server.port} is already in use`);
  });
});

describe('the access token', () => {
  it('trades a right token for an HttpOnly SameSite=Strict cookie and a redirect without the token', async () => {
    const r = await rawRequest(server.port, `/?token=${server.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const setCookie = r.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toContain(`${cookie};`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
  });

  it('keeps the other query parameters and never redirects to another host', async () => {
    expect((await rawRequest(server.port, `/?a=1&token=${server.token}&b=2`)).headers.location).toBe('/?a=1&b=2');
    expect((await rawRequest(server.port, `//evil.example/?token=${server.token}`)).headers.location).toBe('/');
    expect((await rawRequest(server.port, `/\\evil.example/?token=${server.token}`)).headers.location).toBe('/');
  });

  it('serves pages with the cookie and refuses them without it (401 with a short text)', async () => {
    const ok = await rawRequest(server.port, '/', { cookie });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>PEFT Lab</title>');
    for (const headers of [{} as Record<string, string>, { cookie: `peft-lab-token-${server.port}=${'0'.repeat(64)}` }, { cookie: `peft-lab-token-1=${server.token}` }]) {
      const r = await rawRequest(server.port, '/', headers);
      expect(r.status).toBe(401);
      expect(r.body).toContain('access token');
      expect(r.body.length).toBeLessThan(200);
    }
    expect((await rawRequest(server.port, '/assets/app.js')).status).toBe(401);
  });

  it('refuses a wrong token in the URL', async () => {
    const r = await rawRequest(server.port, `/?token=${'f'.repeat(64)}`);
    expect(r.status).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
  });
});

describe('the Host header (DNS rebinding)', () => {
  it('answers 127.0.0.1:PORT and localhost:PORT only', async () => {
    expect((await rawRequest(server.port, '/', { cookie, host: `localhost:${server.port}` })).status).toBe(200);
    for (const host of [`evil.example:${server.port}`, 'evil.example', `127.0.0.1:${server.port + 1}`, `127.0.0.1`, `localhost.evil.example:${server.port}`]) {
      const r = await rawRequest(server.port, '/', { cookie, host });
      expect(r.status, host).toBe(421);
    }
  });

  it('checks the Host before the token exchange', async () => {
    const r = await rawRequest(server.port, `/?token=${server.token}`, { host: `evil.example:${server.port}` });
    expect(r.status).toBe(421);
    expect(r.headers['set-cookie']).toBeUndefined();
  });
});

describe('static files', () => {
  it('serves index.html at / with the CSP, nosniff and no-store', async () => {
    const r = await rawRequest(server.port, '/', { cookie });
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('sends each file with its content type and the security headers', async () => {
    const types: [string, string][] = [
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/app.css', 'text/css; charset=utf-8'],
      ['/assets/font.woff2', 'font/woff2'],
      ['/assets/blob.xyz', 'application/octet-stream'],
      ['/index.html', 'text/html; charset=utf-8'],
    ];
    for (const [target, type] of types) {
      const r = await rawRequest(server.port, target, { cookie });
      expect(r.status, target).toBe(200);
      expect(r.headers['content-type'], target).toBe(type);
      expect(r.headers['content-security-policy'], target).toContain("connect-src 'self'");
      expect(r.headers['x-content-type-options'], target).toBe('nosniff');
    }
  });

  it('lets the browser keep content-hashed build assets, and asks again for everything else', async () => {
    expect(cacheControl('index.html')).toBe('no-store');
    expect(cacheControl('assets/index-BswIGKyJ.js')).toBe('private, max-age=31536000, immutable');
    expect(cacheControl('assets/index-CNEEgyo7.css')).toBe('private, max-age=31536000, immutable');
    for (const f of ['assets/app.js', 'favicon.ico', 'index-BswIGKyJ.js', 'assets/sub/index-BswIGKyJ.js']) expect(cacheControl(f), f).toBe('no-cache');
    expect((await rawRequest(server.port, '/assets/app.js', { cookie })).headers['cache-control']).toBe('no-cache');
  });

  it('answers HEAD without a body, 404 for a missing file, 405 for other methods', async () => {
    const head = await rawRequest(server.port, '/assets/app.js', { cookie }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await rawRequest(server.port, '/assets/missing.js', { cookie })).status).toBe(404);
    expect((await rawRequest(server.port, '/assets/', { cookie })).status).toBe(404);
    expect((await rawRequest(server.port, '/', { cookie }, 'POST')).status).toBe(405);
  });

  it('refuses path traversal, plain or encoded, and never shows a file outside the folder', async () => {
    fs.symlinkSync(path.join(site.root, 'secret.txt'), path.join(site.staticDir, 'assets', 'link.txt'));
    const attempts = [
      '/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets\\..\\..\\secret.txt', '/%252e%252e/secret.txt',
      '/.%2e/secret.txt', '/assets/link.txt', '/%00', '/%E0%A4%A', '/.env', '/../package.json', '/%2e%2e/%2e%2e/package.json',
    ];
    for (const target of attempts) {
      const r = await rawRequest(server.port, target, { cookie });
      expect([400, 403, 404], target).toContain(r.status);
      expect(r.body, target).not.toContain('TOP SECRET');
      expect(r.body, target).not.toContain('"name"');
    }
    expect((await rawRequest(server.port, '/../secret.txt', { cookie })).status).toBe(403);
    expect((await rawRequest(server.port, '/%2e%2e/secret.txt', { cookie })).status).toBe(403);
    expect((await rawRequest(server.port, '/%E0%A4%A', { cookie })).status).toBe(400);
  });
});

describe('without a built renderer', () => {
  it('refuses to start and says to run `npm run build`', async () => {
    const empty = fs.mkdtempSync(path.join(site.root, 'empty-'));
    const err = await startWebServer({ host: fakeHost(), staticDir: empty }).catch((e: unknown) => e);
    expect(isPeftLabError(err, 'FILE_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('run `npm run build` first');
  });

  it('starts when asked not to check, and pages say what to do (503)', async () => {
    const empty = fs.mkdtempSync(path.join(site.root, 'empty-'));
    const s = await startWebServer({ host: fakeHost(), staticDir: empty, requireBuild: false });
    const r = await rawRequest(s.port, '/', { cookie: `peft-lab-token-${s.port}=${s.token}` });
    expect(r.status).toBe(503);
    expect(r.body).toContain('npm run build');
    await s.close();
  });
});
