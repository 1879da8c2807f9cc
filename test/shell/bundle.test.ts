// What can be checked of the desktop shell without launching Electron (its binary cannot be downloaded here):
// the built main bundle carries the security settings and handlers, the host is a separate bundle forked as a
// utility process, only the shell imports electron (in the sources and in the built bundles), and the built preload
// exposes exactly one plain-data object and hands the page its port only when asked.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const OUT_MAIN = path.join(ROOT, 'out/main');
const PRELOAD = path.join(ROOT, 'out/preload/preload.cjs');
const IMPORTS_ELECTRON = /from\s*["']electron["']|require\(\s*["']electron["']\s*\)|import\(\s*["']electron["']\s*\)/;

beforeAll(() => {
  // `npm test` builds before running the tests; build here only when there is no build to inspect at all.
  if (!fs.existsSync(path.join(OUT_MAIN, 'main.js')) || !fs.existsSync(path.join(OUT_MAIN, 'utility-entry.js'))) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'pipe' });
  }
});

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|svelte|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

describe('the built main bundle', () => {
  const main = () => fs.readFileSync(path.join(OUT_MAIN, 'main.js'), 'utf8');

  it('creates windows with context isolation, the sandbox and no Node integration', () => {
    const code = main();
    expect(code).toMatch(/contextIsolation:\s*(true|!0)/);
    expect(code).toMatch(/sandbox:\s*(true|!0)/);
    expect(code).toMatch(/nodeIntegration:\s*(false|!1)/);
    expect(code).toMatch(/nodeIntegrationInWorker:\s*(false|!1)/);
    expect(code).toMatch(/webviewTag:\s*(false|!1)/);
    expect(code).toMatch(/enableSandbox\(\)/);
    expect(code).not.toMatch(/contextIsolation:\s*(false|!1)|sandbox:\s*(false|!1)|nodeIntegration:\s*(true|!0)/);
  });

  it('denies navigation, new windows, webviews and permission requests', () => {
    const code = main();
    expect(code).toMatch(/"will-navigate",\s*\(event, url\) => \{\s*event\.preventDefault\(\)/);
    expect(code).toMatch(/setWindowOpenHandler/);
    expect(code).toMatch(/action:\s*"deny"/);
    expect(code).toMatch(/"will-attach-webview"/);
    expect(code).toMatch(/setPermissionRequestHandler\(\(_contents, _permission, callback\) => callback\((false|!1)\)\)/);
    expect(code).toMatch(/protocol === "https:"/);
  });

  it('forks the host from its own bundle and confirms quitting while runs train', () => {
    const code = main();
    expect(code).toMatch(/utilityProcess\.fork\(join\(__dirname, "utility-entry\.js"\)/);
    expect(code).toMatch(/new MessageChannelMain\(\)/);
    expect(code).toMatch(/"before-quit"/);
    expect(code).toContain('they will stop and can be resumed from their last checkpoint');
    expect(fs.existsSync(path.join(OUT_MAIN, 'utility-entry.js'))).toBe(true);
  });

  it('is the only bundle that imports electron', () => {
    const files = fs.readdirSync(OUT_MAIN).filter((f) => f.endsWith('.js'));
    expect(files).toContain('utility-entry.js');
    for (const f of files) {
      const code = fs.readFileSync(path.join(OUT_MAIN, f), 'utf8');
      expect(IMPORTS_ELECTRON.test(code), f).toBe(f === 'main.js');
    }
  });
});

describe('the sources', () => {
  it('import electron only in src-main/shell', () => {
    const offenders = ['src-main', 'src-shared', 'src-renderer']
      .flatMap((d) => sourceFiles(path.join(ROOT, d)))
      .filter((f) => !f.startsWith(path.join(ROOT, 'src-main/shell') + path.sep))
      .filter((f) => IMPORTS_ELECTRON.test(fs.readFileSync(f, 'utf8').replace(/'/g, '"')))
      .map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});

describe('the built preload', () => {
  interface Run {
    exposed: [string, unknown][];
    posted: unknown[][];
    ipc: Map<string, (event: { ports: unknown[] }) => void>;
    pageMessage(data: unknown, fromPage?: boolean): void;
  }

  function runPreload(): Run {
    const exposed: [string, unknown][] = [];
    const ipc = new Map<string, (event: { ports: unknown[] }) => void>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]) },
      ipcRenderer: { on: (channel: string, l: (event: { ports: unknown[] }) => void) => ipc.set(channel, l) },
    };
    const context = vm.createContext({
      require: (id: string) => {
        if (id !== 'electron') throw new Error(`a sandboxed preload may not require ${id}`);
        return electron;
      },
      process: { versions: { electron: '45.4.1', chrome: '142', node: '22' } },
    });
    vm.runInContext('globalThis.__listeners = []; globalThis.__posted = []; globalThis.addEventListener = (t, l) => __listeners.push([t, l]); globalThis.postMessage = (...a) => __posted.push(a);', context);
    vm.runInContext(fs.readFileSync(PRELOAD, 'utf8'), context, { filename: PRELOAD });
    const win = vm.runInContext('globalThis', context) as { __listeners: [string, (e: unknown) => void][]; __posted: unknown[][] };
    return {
      exposed,
      posted: win.__posted,
      ipc,
      pageMessage: (data, fromPage = true) => {
        for (const [type, l] of win.__listeners) if (type === 'message') l({ source: fromPage ? win : {}, data });
      },
    };
  }

  it('exposes exactly one object, peftLab = { shell, versions }, with no functions in it', () => {
    const { exposed } = runPreload();
    expect(exposed).toHaveLength(1);
    const [key, value] = exposed[0];
    expect(key).toBe('peftLab');
    expect(Object.keys(value as object).sort()).toEqual(['shell', 'versions']);
    expect(JSON.parse(JSON.stringify(value))).toEqual({ shell: 'electron', versions: { electron: '45.4.1', chrome: '142', node: '22' } });
    const marked = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'function' ? 'FUNCTION' : v));
    expect(marked).not.toContain('FUNCTION');
  });

  it('hands the page its host port once both the port arrived and the page asked, whichever comes first', () => {
    const portA = { name: 'A' };
    const early = runPreload();
    early.ipc.get('peft-lab:host-port')!({ ports: [portA] });
    expect(early.posted).toHaveLength(0);
    early.pageMessage({ type: 'peft-lab:host-port-request' }, false); // not from this window: ignored
    early.pageMessage({ type: 'something-else' });
    expect(early.posted).toHaveLength(0);
    early.pageMessage({ type: 'peft-lab:host-port-request' });
    expect(early.posted).toEqual([[{ type: 'peft-lab:host-port' }, '*', [portA]]]);
    early.pageMessage({ type: 'peft-lab:host-port-request' });
    expect(early.posted).toHaveLength(1); // a port is transferred once

    const late = runPreload();
    late.pageMessage({ type: 'peft-lab:host-port-request' });
    expect(late.posted).toHaveLength(0);
    late.ipc.get('peft-lab:host-port')!({ ports: [portA] });
    expect(late.posted).toEqual([[{ type: 'peft-lab:host-port' }, '*', [portA]]]);
  });
});
