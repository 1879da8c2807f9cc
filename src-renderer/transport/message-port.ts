// The renderer's end of the MessagePort the desktop shell hands each window (structured clone, no JSON). A port
// has no reliable close event in every Chromium, so a close is reported when the port says so (Chromium's
// `close` event) or when the app closes it.
import type { ClientMessage, ServerMessage, Transport } from '../../src-shared/protocol/wire';
import { CloseSignal, Listeners } from '../../src-shared/protocol/listeners';

export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}

export function createMessagePortTransport(port: MessagePortLike): Transport<ServerMessage, ClientMessage> {
  const messages = new Listeners<ServerMessage>();
  const closed = new CloseSignal();

  port.addEventListener('message', (event) => {
    if (!closed.closed) messages.emit(event.data as ServerMessage);
  });
  port.addEventListener('close', () => closed.fire('the host closed the connection'));
  port.start();

  return {
    send(message) {
      if (!closed.closed) port.postMessage(message);
    },
    onMessage: (handler) => messages.add(handler),
    onClose: (handler) => closed.subscribe(handler),
    close() {
      port.close();
      closed.fire('closed by the app');
    },
  };
}
