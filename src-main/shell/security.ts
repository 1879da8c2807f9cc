// App-wide hardening of every renderer (Electron's security checklist): all renderers sandboxed, no navigation away
// from the app, no new windows (https links open in the system browser instead), no <webview>, and every
// permission request (camera, notifications, geolocation, …) denied. IPC senders are checked: the main process
// hands its one capability, the MessagePort to the host, only to the top frame of the app's own page (isAppFrame),
// and handles no other message from renderers.
import { fileURLToPath } from 'node:url';
import { app, session, shell } from 'electron';
import type { WebContents } from 'electron';

/** Where the app's page comes from: the built index.html, or the dev server of `electron-vite dev` when set. */
export interface AppPage {
  file: string;
  devServer?: string;
}

/** Whether `url` is the app's own page (any hash or query): the built file itself, or the dev server's origin. */
export function isAppUrl(url: string, page: AppPage): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (page.devServer) {
    try {
      if (u.origin !== 'null' && u.origin === new URL(page.devServer).origin) return true;
    } catch {
      // a malformed dev server URL trusts nothing
    }
  }
  if (u.protocol !== 'file:' || u.host !== '') return false;
  try {
    return fileURLToPath(u) === page.file;
  } catch {
    return false;
  }
}

/** Whether an IPC sender frame is the top frame of the app's page (not a sub-frame, not another page). */
export function isAppFrame(frame: { url: string; parent: unknown } | null | undefined, page: AppPage): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppUrl(frame.url, page);
}

/** Opens https links in the system browser; anything else is dropped. */
export function openExternally(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.protocol === 'https:') void shell.openExternal(parsed.href);
}

export function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}

/** Call before app `ready`. */
export function lockDown(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
  });
}
