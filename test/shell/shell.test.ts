// The shell's behaviour with a fake electron module (the real one cannot run here): window settings, navigation and
// permission refusals, the host utility process (fork, one port per page load, in-flight question, shutdown) and
// the quit confirmation while runs train.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { HostProcess } from '../../src-main/shell/host-process';
import { installQuitGuard, quitMessage } from '../../src-main/shell/quit';
import { guardContents, lockDown } from '../../src-main/shell/security';
import { createWindow } from '../../src-main/shell/window';

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const app = Object.assign(new Emitter(), {
    whenReady: () => Promise.resolve(),
    enableSandbox: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    getPath: () => '/data',
  });
  class BrowserWindow {
    static created: BrowserWindow[] = [];
    static getFocusedWindow = (): BrowserWindow | null => null;
    static getAllWindows = (): BrowserWindow[] => BrowserWindow.created;
    webContents = Object.assign(new Emitter(), { postMessage: vi.fn(), reload: vi.fn() });
    loadFile = vi.fn(async () => {});
    loadURL = vi.fn(async () => {});
    constructor(readonly options: Record<string, any>) {
      BrowserWindow.created.push(this);
    }
  }
  const children: any[] = [];
  const utilityProcess = {
    children,
    fork: vi.fn((modulePath: string, args: string[], options: unknown) => {
      const child = Object.assign(new Emitter(), { modulePath, args, options, postMessage: vi.fn(), kill: vi.fn() });
      children.push(child);
      return child;
    }),
  };
  let ports = 0;
  class MessageChannelMain {
    port1 = { port: ++ports };
    port2 = { port: ++ports };
  }
  return {
    app,
    BrowserWindow,
    MessageChannelMain,
    utilityProcess,
    dialog: { showMessageBox: vi.fn(), showErrorBox: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openExternal: vi.fn(async () => {}) },
  };
});

const fake = electron as unknown as {
  app: EventEmitter & { enableSandbox: ReturnType<typeof vi.fn>; quit: ReturnType<typeof vi.fn> };
  BrowserWindow: { created: { options: Record<string, any>; webContents: EventEmitter; loadFile: ReturnType<typeof vi.fn<(file: string) => Promise<void>>> }[] };
  utilityProcess: { fork: ReturnType<typeof vi.fn>; children: (EventEmitter & { postMessage: ReturnType<typeof vi.fn>; kill: ReturnType<typeof vi.fn>; args: string[]; modulePath: string; options: any })[] };
  dialog: { showMessageBox: ReturnType<typeof vi.fn> };
  session: { defaultSession: { setPermissionRequestHandler: ReturnType<typeof vi.fn>; setPermissionCheckHandler: ReturnType<typeof vi.fn> } };
  shell: { openExternal: ReturnType<typeof vi.fn> };
};

const tick = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  vi.clearAllMocks();
  fake.app.removeAllListeners();
});

describe('the window', () => {
  it('is locked down and connects to the host on every page load', () => {
    const connect = vi.fn();
    createWindow(connect);
    const win = fake.BrowserWindow.created.at(-1)!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webviewTag: false, webSecurity: true });
    expect(win.options.webPreferences.preload).toMatch(/preload[\\/]preload\.cjs$/);
    expect(win.loadFile.mock.calls[0][0]).toMatch(/renderer[\\/]index\.html$/);
    // The page it loaded (the port goes to the app's own page only: test/security/electron.test.ts).
    Object.assign(win.webContents, { mainFrame: { url: pathToFileURL(win.loadFile.mock.calls[0][0]).href, parent: null } });
    win.webContents.emit('dom-ready');
    win.webContents.emit('dom-ready');
    expect(connect).toHaveBeenCalledTimes(2);
    expect(connect).toHaveBeenCalledWith(win.webContents);
  });
});

describe('security', () => {
  function contents() {
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const c = Object.assign(new EventEmitter(), { setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h) });
    guardContents(c as never);
    return { c, open: (url: string) => openHandler!({ url }) };
  }

  it('refuses every navigation, opening only https links in the system browser', () => {
    const { c } = contents();
    for (const url of ['https://huggingface.co/docs', 'http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
      const event = { preventDefault: vi.fn() };
      c.emit('will-navigate', event, url);
      expect(event.preventDefault, url).toHaveBeenCalled();
    }
    expect(fake.shell.openExternal.mock.calls).toEqual([['https://huggingface.co/docs']]);
  });

  it('denies new windows and webviews', () => {
    const { c, open } = contents();
    expect(open('https://example.com/a')).toEqual({ action: 'deny' });
    expect(open('http://example.com/a')).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal.mock.calls).toEqual([['https://example.com/a']]);
    const event = { preventDefault: vi.fn() };
    c.emit('will-attach-webview', event);
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('sandboxes every renderer, guards every web contents and denies permission requests', async () => {
    lockDown();
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    const c = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    fake.app.emit('web-contents-created', {}, c);
    expect(c.setWindowOpenHandler).toHaveBeenCalled();
    expect(c.listenerCount('will-navigate')).toBe(1);
    await tick();
    const request = fake.session.defaultSession.setPermissionRequestHandler.mock.calls[0][0];
    const callback = vi.fn();
    request({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.session.defaultSession.setPermissionCheckHandler.mock.calls[0][0]()).toBe(false);
  });
});

describe('the host utility process', () => {
  function start() {
    const handlers = { onFatal: vi.fn(), onUnexpectedExit: vi.fn() };
    const host = new HostProcess('/home/me/.config/PEFT Lab', handlers);
    return { host, handlers, child: fake.utilityProcess.children.at(-1)! };
  }

  it('forks utility-entry.js with the data folder', () => {
    const { child } = start();
    expect(child.modulePath).toMatch(/utility-entry\.js$/);
    expect(child.args).toEqual(['--peft-lab-data=/home/me/.config/PEFT Lab']);
    expect(child.options.env.PEFT_LAB_DATA).toBe('/home/me/.config/PEFT Lab');
  });

  it('gives each page load a fresh channel: one port to the host, the other to the page', () => {
    const { host, child } = start();
    const contents = { postMessage: vi.fn() };
    host.connect(contents as never);
    const [message, [hostPort]] = child.postMessage.mock.calls[0];
    const [channel, , [pagePort]] = contents.postMessage.mock.calls[0];
    expect(message).toEqual({ type: 'connect' });
    expect(channel).toBe('peft-lab:host-port');
    expect(hostPort).not.toBe(pagePort);
  });

  it('asks how many runs are in flight, and gives up after a timeout', async () => {
    const { host, child } = start();
    const answer = host.inFlight();
    const [{ requestId }] = child.postMessage.mock.calls[0];
    child.emit('message', { type: 'in-flight', requestId: requestId + 1, runs: 9, labels: [] });
    child.emit('message', { type: 'in-flight', requestId, runs: 2, labels: ['lora r8', 'lora r16'] });
    expect(await answer).toEqual({ runs: 2, labels: ['lora r8', 'lora r16'] });
    expect(await host.inFlight(20)).toBeNull();
  });

  it('shuts the host down with a handshake, and kills it when it does not answer', async () => {
    const polite = start();
    const done = polite.host.shutdown();
    expect(polite.child.postMessage.mock.calls[0][0]).toEqual({ type: 'shutdown' });
    polite.child.emit('message', { type: 'shutdown-done' });
    await done;
    expect(polite.child.kill).not.toHaveBeenCalled();
    polite.child.emit('exit', 0);
    expect(polite.handlers.onUnexpectedExit).not.toHaveBeenCalled();

    const stuck = start();
    await stuck.host.shutdown(20);
    expect(stuck.child.kill).toHaveBeenCalled();
  });

  it('reports a host that could not start, and one that died', () => {
    const { child, handlers } = start();
    child.emit('message', { type: 'fatal', message: 'database is locked' });
    expect(handlers.onFatal).toHaveBeenCalledWith('database is locked');
    child.emit('exit', 134);
    expect(handlers.onUnexpectedExit).toHaveBeenCalledWith(134);
  });
});

describe('quitting while runs train', () => {
  function guard(inFlight: { runs: number; labels: string[] } | null) {
    const host = { inFlight: vi.fn(async () => inFlight), shutdown: vi.fn(async () => {}) };
    const onCancel = vi.fn();
    installQuitGuard(() => host, onCancel);
    const quit = async () => {
      const event = { preventDefault: vi.fn() };
      fake.app.emit('before-quit', event);
      await tick();
      await tick();
      return event;
    };
    return { host, onCancel, quit };
  }

  it('says what will be lost; Cancel keeps the app open', async () => {
    fake.dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    const { host, onCancel, quit } = guard({ runs: 2, labels: ['lora r8 attn 4-bit', 'lora r16 all 8-bit'] });
    const event = await quit();
    expect(event.preventDefault).toHaveBeenCalled();
    const options = fake.dialog.showMessageBox.mock.calls[0][0];
    expect(options.message).toBe('2 runs are training; they will stop and can be resumed from their last checkpoint.');
    expect(options.detail).toContain('lora r16 all 8-bit');
    expect(options.buttons[options.cancelId]).toBe('Cancel');
    expect(options.defaultId).toBe(options.cancelId);
    expect(onCancel).toHaveBeenCalled();
    expect(host.shutdown).not.toHaveBeenCalled();
    expect(fake.app.quit).not.toHaveBeenCalled();
  });

  it('on Quit shuts the host down first, then quits', async () => {
    fake.dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    const { host, quit } = guard({ runs: 1, labels: ['ia3'] });
    await quit();
    expect(host.shutdown).toHaveBeenCalled();
    expect(fake.app.quit).toHaveBeenCalled();
    const again = await quit(); // app.quit() emits before-quit again: let it through
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it('asks nothing when no run is in flight or the host does not answer', async () => {
    for (const answer of [{ runs: 0, labels: [] }, null]) {
      fake.app.removeAllListeners();
      vi.clearAllMocks();
      const { host, quit } = guard(answer);
      await quit();
      expect(fake.dialog.showMessageBox).not.toHaveBeenCalled();
      expect(host.shutdown).toHaveBeenCalled();
      expect(fake.app.quit).toHaveBeenCalled();
    }
  });

  it('words one run in the singular', () => {
    expect(quitMessage(1)).toBe('1 run is training; it will stop and can be resumed from its last checkpoint.');
  });
});
