// The preload script: the only bridge between the sandboxed renderer and the app. It exposes one typed object,
// `peftLab = { shell, versions }` (never a generic invoke), and hands the page its MessagePort to the host: the main
// process sends a port on every page load; the page asks for it with a window message (HOST_PORT_REQUEST) and
// receives it as `window.postMessage({ type: 'peft-lab:host-port' }, '*', [port])`. Whichever comes first waits.
import { contextBridge, ipcRenderer } from 'electron';

const HOST_PORT = 'peft-lab:host-port';
const HOST_PORT_REQUEST = 'peft-lab:host-port-request';

/** The little of `window` this file uses (the main-side tsconfig has no DOM library). */
interface PreloadWindow {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
  addEventListener(type: 'message', listener: (event: { source: unknown; data: unknown }) => void): void;
}
const win = globalThis as unknown as PreloadWindow;

let port: unknown = null;
let requested = false;

function deliver(): void {
  if (!port || !requested) return;
  win.postMessage({ type: HOST_PORT }, '*', [port]);
  port = null;
  requested = false;
}

ipcRenderer.on(HOST_PORT, (event) => {
  port = event.ports[0] ?? null;
  deliver();
});

win.addEventListener('message', (event) => {
  if (event.source !== win || (event.data as { type?: unknown } | null)?.type !== HOST_PORT_REQUEST) return;
  requested = true;
  deliver();
});

contextBridge.exposeInMainWorld('peftLab', {
  shell: 'electron' as const,
  versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
});
