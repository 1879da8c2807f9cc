// The desktop shell's IPC and page rules (issue #9, Security), with a fake electron module (the real one cannot
// run here). The main process's one capability, the MessagePort to the host, goes only to the top frame of the
// app's own page; it handles no other renderer message (any future ipcMain listener must check its sender with
// isAppFrame, and this test lists them); the preload hands the port only to the page that asked, never to a
// sub-frame; and the page's CSP lets in scripts from the app only. Window settings, navigation, new windows and
// permission requests are tested in test/shell/shell.test.ts.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAppFrame, isAppUrl } from '../../src-main/shell/security';
import { appPage, createWindow } from '../../src-main/shell/window';
import { parseCsp, scriptSources } from './csp';

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class BrowserWindow {
    static created: BrowserWindow[] = [];
    webContents = Object.assign(new Emitter(), { postMessage: vi.fn(), mainFrame: null as unknown });
    loadFile = vi.fn(async () => {});
    loadURL = vi.fn(async () => {});
    constructor(readonly options: Record<string, unknown>) {
      BrowserWindow.created.push(this);
    }
  }
  const ipcRenderer = new Emitter();
  const contextBridge = { exposeInMainWorld: vi.fn() };
  return { app: new Emitter(), session: {}, shell: {}, BrowserWindow, ipcRenderer, contextBridge };
});

const fake = electron as unknown as {
  BrowserWindow: { created: { webContents: EventEmitter & { mainFrame: unknown }; loadFile: ReturnType<typeof vi.fn>; loadURL: ReturnType<typeof vi.fn> }[] };
  ipcRenderer: EventEmitter;
  contextBridge: { exposeInMainWorld: ReturnType<typeof vi.fn> };
};

const ROOT = path.resolve(__dirname, '../..');
const PAGE = { file: '/opt/PEFT Lab/resources/app/out/renderer/index.html' };
const pageUrl = pathToFileURL(PAGE.file).href;

describe('isAppUrl / isAppFrame', () => {
  it('trusts the built page, with any hash or query', () => {
    for (const url of [pageUrl, `${pageUrl}#/runs/3`, `${pageUrl}?x=1`]) expect(isAppUrl(url, PAGE), url).toBe(true);
    expect(isAppFrame({ url: pageUrl, parent: null }, PAGE)).toBe(true);
  });

  it('refuses every other page, a sub-frame and a missing frame (attempts that must fail)', () => {
    const others = [
      'https://evil.example/', 'http://127.0.0.1:5173/', 'file:///tmp/evil.html', pathToFileURL('/opt/PEFT Lab/resources/app/out/renderer/index.html.evil').href,
      'file://evil.example/opt/PEFT%20Lab/resources/app/out/renderer/index.html', 'file:///opt/PEFT%20Lab/resources/app/out/renderer/../../../../../../tmp/index.html',
      'data:text/html,<script>1</script>', 'about:blank', 'javascript:alert(1)', 'devtools://devtools/bundled/index.html', 'not a url', '',
    ];
    for (const url of others) expect(isAppUrl(url, PAGE), url).toBe(false);
    expect(isAppFrame({ url: pageUrl, parent: { url: pageUrl } }, PAGE)).toBe(false);
    expect(isAppFrame(null, PAGE)).toBe(false);
    expect(isAppFrame(undefined, PAGE)).toBe(false);
  });

  it('under `electron-vite dev`, trusts the dev server\'s origin only', () => {
    const dev = { ...PAGE, devServer: 'http://localhost:5173' };
    expect(isAppUrl('http://localhost:5173/#/models', dev)).toBe(true);
    for (const url of ['http://localhost:5174/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', 'http://localhost.evil.example:5173/']) expect(isAppUrl(url, dev), url).toBe(false);
    expect(isAppUrl('data:text/html,x', { ...PAGE, devServer: 'not a url' })).toBe(false);
  });
});

describe('the host port (the main process\'s one IPC capability)', () => {
  afterEach(() => {
    delete process.env.ELECTRON_RENDERER_URL;
  });

  it('goes to the app\'s own page on every load, and to nothing else that the window shows', () => {
    const connect = vi.fn();
    createWindow(connect);
    const win = fake.BrowserWindow.created.at(-1)!;
    const own = pathToFileURL(appPage().file).href;
    expect(win.loadFile).toHaveBeenCalledWith(appPage().file);
    const load = (frame: unknown) => {
      win.webContents.mainFrame = frame;
      win.webContents.emit('dom-ready');
    };
    load({ url: own, parent: null });
    expect(connect).toHaveBeenCalledTimes(1);
    for (const frame of [{ url: 'https://evil.example/', parent: null }, { url: 'file:///tmp/evil.html', parent: null }, { url: own, parent: {} }, null]) {
      load(frame);
    }
    expect(connect).toHaveBeenCalledTimes(1);
    load({ url: `${own}#/runs`, parent: null });
    expect(connect).toHaveBeenCalledTimes(2);
  });

  it('under the dev server, goes to the dev server\'s page', () => {
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173';
    const connect = vi.fn();
    createWindow(connect);
    const win = fake.BrowserWindow.created.at(-1)!;
    expect(win.loadURL).toHaveBeenCalledWith('http://localhost:5173');
    win.webContents.mainFrame = { url: 'http://localhost:5174/', parent: null };
    win.webContents.emit('dom-ready');
    expect(connect).not.toHaveBeenCalled();
    win.webContents.mainFrame = { url: 'http://localhost:5173/', parent: null };
    win.webContents.emit('dom-ready');
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it('is the only IPC: the main process listens to no renderer message (a new listener must check isAppFrame)', () => {
    const dir = path.join(ROOT, 'src-main', 'shell');
    const listeners = fs.readdirSync(dir).flatMap((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      return /ipcMain\s*\.\s*(on|once|handle|handleOnce|addListener)\b/.test(text) && !/isAppFrame\(/.test(text) ? [f] : [];
    });
    expect(listeners).toEqual([]);
  });
});

describe('the preload', () => {
  interface PageMessage { source: unknown; data: unknown }
  let listeners: ((e: PageMessage) => void)[];
  let posted: unknown[][];
  let page: Record<string, unknown>;

  beforeEach(async () => {
    vi.resetModules();
    listeners = [];
    posted = [];
    page = globalThis as unknown as Record<string, unknown>;
    page.postMessage = (...args: unknown[]) => posted.push(args);
    page.addEventListener = (_type: string, l: (e: PageMessage) => void) => listeners.push(l);
    fake.ipcRenderer.removeAllListeners();
    await import('../../src-main/shell/preload');
  });
  afterEach(() => {
    delete page.postMessage;
    delete page.addEventListener;
  });

  const fromPage = (source: unknown) => listeners.forEach((l) => l({ source, data: { type: 'peft-lab:host-port-request' } }));

  it('exposes one small object, with no way to send IPC', () => {
    const [name, api] = fake.contextBridge.exposeInMainWorld.mock.calls.at(-1)!;
    expect(name).toBe('peftLab');
    expect(Object.keys(api as object).sort()).toEqual(['shell', 'versions']);
    expect(JSON.stringify(api)).not.toMatch(/invoke|send|ipc/i);
  });

  it('hands the host port to the page that asked, not to a sub-frame or another window', () => {
    const port = { port: 7 };
    fake.ipcRenderer.emit('peft-lab:host-port', { ports: [port] });
    fromPage({}); // a sub-frame or another window posting the request
    fromPage(null);
    expect(posted).toEqual([]);
    fromPage(globalThis);
    expect(posted).toEqual([[{ type: 'peft-lab:host-port' }, '*', [port]]]);
    fromPage(globalThis); // a second request gets nothing more: the port went once
    expect(posted).toHaveLength(1);
  });
});

describe('the Content-Security-Policy of the desktop window', () => {
  const metaCsp = (html: string): string | null => /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1] ?? null;

  it('index.html allows scripts from the app only: no inline script, no eval, no wasm eval', () => {
    const html = fs.readFileSync(path.join(ROOT, 'src-renderer', 'index.html'), 'utf8');
    const csp = metaCsp(html);
    expect(csp).not.toBeNull();
    const scripts = scriptSources(parseCsp(csp!));
    expect(scripts).toEqual(["'self'"]);
    // Inline styles are allowed (Svelte style: directives, chart.js); scripts never are.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('the built page keeps that policy and holds no inline script (when built)', () => {
    const built = path.join(ROOT, 'out', 'renderer', 'index.html');
    if (!fs.existsSync(built)) return; // `npm test` builds before the unit tests; a bare checkout has nothing to check
    const html = fs.readFileSync(built, 'utf8');
    expect(scriptSources(parseCsp(metaCsp(html) ?? ''))).toEqual(["'self'"]);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });
});
