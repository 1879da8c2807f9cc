// Quitting while runs train: `before-quit` asks the host how many runs are in flight and, if any, says what will
// happen to them; Cancel keeps the app open. Confirmed (or nothing running): the host shuts down, then the app quits.
import { app, BrowserWindow, dialog } from 'electron';
import type { InFlight } from './host-process';

export interface QuitHost {
  inFlight(): Promise<InFlight | null>;
  shutdown(): Promise<void>;
}

export function quitMessage(runs: number): string {
  return runs === 1
    ? '1 run is training; it will stop and can be resumed from its last checkpoint.'
    : `${runs} runs are training; they will stop and can be resumed from their last checkpoint.`;
}

async function confirmQuit(host: QuitHost): Promise<boolean> {
  const inFlight = await host.inFlight();
  if (!inFlight || inFlight.runs === 0) return true;
  const options = {
    type: 'warning' as const,
    title: 'Quit PEFT Lab?',
    message: quitMessage(inFlight.runs),
    detail: inFlight.labels.slice(0, 10).join('\n'),
    buttons: ['Quit', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
  const parent = BrowserWindow.getFocusedWindow();
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  return response === 0;
}

/** `getHost` returns the current host (it may have been restarted); `onCancel` runs when the person keeps the app. */
export function installQuitGuard(getHost: () => QuitHost | null, onCancel: () => void): void {
  let state: 'open' | 'asking' | 'confirmed' = 'open';
  app.on('before-quit', (event) => {
    if (state === 'confirmed') return;
    event.preventDefault();
    if (state === 'asking') return;
    state = 'asking';
    const host = getHost();
    void (host ? confirmQuit(host) : Promise.resolve(true)).then(async (ok) => {
      if (!ok) {
        state = 'open';
        onCancel();
        return;
      }
      state = 'confirmed';
      await host?.shutdown();
      app.quit();
    });
  });
}
