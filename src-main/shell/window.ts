// The app window: a locked-down renderer (context isolation, sandbox, no Node, no webview), the preload as its only
// bridge, and a fresh host connection on every page load (dom-ready also fires after a reload), handed only to the
// app's own page (security.ts isAppFrame).
import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import type { WebContents } from 'electron';
import type { AppPage } from './security';
import { isAppFrame } from './security';

/** The page the window loads: the built renderer, or the dev server's URL under `electron-vite dev`. */
export function appPage(): AppPage {
  return { file: join(__dirname, '../renderer/index.html'), devServer: process.env.ELECTRON_RENDERER_URL };
}

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
  const page = appPage();
  win.webContents.on('dom-ready', () => {
    if (isAppFrame(win.webContents.mainFrame, page)) connect(win.webContents);
  });
  if (page.devServer) void win.loadURL(page.devServer);
  else void win.loadFile(page.file);
  return win;
}
