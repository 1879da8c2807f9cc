// How the renderer reaches the host: in the desktop app over the MessagePort the shell hands this window (via the
// preload), in web mode over a WebSocket to `/ws` on the server that served the page (the access-token cookie set
// by the first page load authenticates it). Either way the app gets the same typed HostClient.
import { PeftLabError } from '../../src-shared/errors';
import { HostClient } from '../../src-shared/protocol/client';
import { desktopBridge, HOST_PORT, HOST_PORT_REQUEST } from './bridge';
import { createMessagePortTransport } from './message-port';
import { createWebSocketTransport, whenOpen } from './websocket';

const PORT_TIMEOUT_MS = 15_000;

/** Asks the preload for this window's port and waits for it. */
function receiveHostPort(timeoutMs: number): Promise<MessagePort> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent): void => {
      const data = event.data as { type?: unknown } | null;
      if (event.source !== window || data?.type !== HOST_PORT || !event.ports[0]) return;
      cleanup();
      resolve(event.ports[0]);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new PeftLabError('INTERNAL', `the desktop shell did not connect this window to the host within ${timeoutMs / 1000} s; restart PEFT Lab.`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
    };
    window.addEventListener('message', onMessage);
    window.postMessage({ type: HOST_PORT_REQUEST }, '*');
  });
}

/** `ws(s)://<this host>/ws`, carrying the token only if the page URL still has one. */
export function webSocketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(loc.search).get('token');
  return `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

async function connectWebSocket(url: string): Promise<HostClient> {
  const socket = new WebSocket(url);
  try {
    await whenOpen(socket);
  } catch (err) {
    throw new PeftLabError('INTERNAL', `could not connect to the PEFT Lab host at ${url} (${(err as Error).message}); is \`peft-lab serve\` still running? Open the URL it printed.`);
  }
  return new HostClient(createWebSocketTransport(socket));
}

export async function connectToHost(): Promise<HostClient> {
  if (desktopBridge()) return new HostClient(createMessagePortTransport(await receiveHostPort(PORT_TIMEOUT_MS)));
  return connectWebSocket(webSocketUrl(location));
}
