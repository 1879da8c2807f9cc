// The renderer's end of a WebSocket to the host (web mode): JSON text frames both ways. No reconnect: when the socket
// closes, every pending request fails with the reason and the app shows it (reloading the page reconnects).
// The socket is typed structurally so the same code runs against the browser's WebSocket and, in tests, ws's.
import type { ClientMessage, ServerMessage, Transport } from '../../src-shared/protocol/wire';
import { CloseSignal, Listeners } from '../../src-shared/protocol/listeners';

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

const OPEN = 1;

function describeClose(code: number, reason: string): string {
  if (code === 1006) return 'the connection to the host was lost (code 1006)';
  return `the host closed the connection (code ${code}${reason ? `: ${reason}` : ''})`;
}

/** Resolves once the socket is open; rejects with the close code when it closes first. */
export function whenOpen(socket: WebSocketLike): Promise<void> {
  if (socket.readyState === OPEN) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('close', (e) => reject(new Error(describeClose(e.code, e.reason))));
  });
}

export function createWebSocketTransport(socket: WebSocketLike): Transport<ServerMessage, ClientMessage> {
  const messages = new Listeners<ServerMessage>();
  const closed = new CloseSignal();

  socket.addEventListener('message', (event) => {
    if (closed.closed) return;
    if (typeof event.data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(event.data) as ServerMessage;
    } catch {
      socket.close(1007, 'malformed frame from the host');
      closed.fire('the host sent a malformed frame');
      return;
    }
    messages.emit(message);
  });
  socket.addEventListener('close', (e) => closed.fire(describeClose(e.code, e.reason)));

  return {
    send(message) {
      if (!closed.closed && socket.readyState === OPEN) socket.send(JSON.stringify(message));
    },
    onMessage: (handler) => messages.add(handler),
    onClose: (handler) => closed.subscribe(handler),
    close() {
      socket.close(1000, 'closed by the app');
      closed.fire('closed by the app');
    },
  };
}
