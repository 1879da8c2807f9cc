// What the desktop preload exposes to the page (src-main/shell/preload.ts), and the window messages by which it hands
// the page its MessagePort to the host: the page asks (HOST_PORT_REQUEST), the preload answers with the port
// (HOST_PORT) once it has one. Asking first means the page cannot miss a port that arrived before it listened.
export interface PeftLabBridge {
  shell: 'electron';
  versions: { electron: string; chrome: string; node: string };
}

export const HOST_PORT = 'peft-lab:host-port';
export const HOST_PORT_REQUEST = 'peft-lab:host-port-request';

export function desktopBridge(): PeftLabBridge | undefined {
  const bridge = (globalThis as { peftLab?: PeftLabBridge }).peftLab;
  return bridge?.shell === 'electron' ? bridge : undefined;
}
