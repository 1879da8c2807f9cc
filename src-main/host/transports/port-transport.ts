// The host's end of an Electron MessagePortMain (desktop mode, inside the utility process). Messages are
// structured-cloned objects, not JSON. The port is typed structurally so that this file, like the rest of the
// host, never imports electron and runs in plain Node (tests use Node's MessagePort behind a small adapter).
import type { ClientMessage, ServerMessage, Transport } from '../../../src-shared/protocol/wire';
import { asClientMessage } from './client-message';
import { CloseSignal, Listeners } from '../../../src-shared/protocol/listeners';

/** What the host needs of Electron's MessagePortMain. */
export interface MessagePortMainLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

export function createPortTransport(port: MessagePortMainLike): Transport<ClientMessage, ServerMessage> {
  const messages = new Listeners<ClientMessage>();
  const closed = new CloseSignal();
  const finish = (reason: string): void => {
    closed.fire(reason);
    messages.clear();
  };

  port.on('message', (event) => {
    if (closed.closed) return;
    const message = asClientMessage(event.data);
    if (!message) {
      port.close();
      finish('protocol error: expected a request or cancel message');
      return;
    }
    messages.emit(message);
  });
  port.on('close', () => finish('the window closed its port'));
  port.start();

  return {
    send(message) {
      if (!closed.closed) port.postMessage(message);
    },
    onMessage: (handler) => messages.add(handler),
    onClose: (handler) => closed.subscribe(handler),
    close() {
      port.close();
      finish('closed by the host');
    },
  };
}
