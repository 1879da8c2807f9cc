// The app window: a locked-down renderer (context isolation, sandbox, no Node, no webview), the preload as its only
// bridge, and a fresh host connection on every page load (dom-ready also fires after a reload).
import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import type { WebContents } from 'electron';

export function createWindow(connect: (contents: WebContents) => void): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'PEFT Lab',
    webPreferences: {
      preload: join(__dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  });
  win.webContents.on('dom-ready', () => connect(win.webContents));
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}
