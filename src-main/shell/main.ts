// The Electron main process: the thin window shell (DESIGN.md). It hardens every renderer, starts the host as a
// utility process (data in app.getPath('userData')), hands each window load a MessagePort to it, confirms quitting
// while runs train, and restarts the host once if it dies. Everything else runs in plain Node outside this folder.
import { app, BrowserWindow, dialog } from 'electron';
import { HostProcess } from './host-process';
import { installQuitGuard } from './quit';
import { lockDown } from './security';
import { createWindow } from './window';

let host: HostProcess | null = null;
let restarts = 0;

function startHost(): HostProcess {
  return new HostProcess(app.getPath('userData'), {
    onFatal(message) {
      dialog.showErrorBox('PEFT Lab could not start its host', message);
      app.exit(1);
    },
    onUnexpectedExit(code) {
      host = null;
      if (restarts++ >= 2) {
        dialog.showErrorBox('PEFT Lab host stopped', `The host process exited (code ${code}) three times. Runs in flight can be resumed after a restart.`);
        app.exit(1);
        return;
      }
      host = startHost();
      for (const win of BrowserWindow.getAllWindows()) win.webContents.reload();
    },
  });
}

function openWindow(): BrowserWindow {
  return createWindow((contents) => host?.connect(contents));
}

lockDown();

void app.whenReady().then(() => {
  host = startHost();
  installQuitGuard(
    () => host,
    () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    },
  );
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
