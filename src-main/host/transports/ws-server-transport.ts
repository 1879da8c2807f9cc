// The host's end of a WebSocket connection (web mode): one JSON text frame per message. A frame that is not JSON,
// not a ClientMessage, or binary closes this connection (code 1007/1003 with a reason); other connections are
// unaffected. Frames above MAX_FRAME_BYTES are refused by ws itself (the server passes it as maxPayload).
import type { RawData, WebSocket } from 'ws';
import { PeftLabError, errorToWire } from '../../../src-shared/errors';
import type { ClientMessage, ServerMessage, Transport } from '../../../src-shared/protocol/wire';
import { parseClientFrame } from './client-message';
import { CloseSignal, Listeners } from '../../../src-shared/protocol/listeners';

export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const OPEN = 1;

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** A message as JSON; a response whose result cannot be serialised becomes an error response for that request. */
function encode(message: ServerMessage): string {
  try {
    return JSON.stringify(message);
  } catch (err) {
    if (message.kind !== 'response') throw err;
    const error = new PeftLabError('INTERNAL', `the result of request ${message.id} could not be serialised: ${(err as Error).message}`);
    return JSON.stringify({ kind: 'response', id: message.id, ok: false, error: errorToWire(error) } satisfies ServerMessage);
  }
}

export function createWsServerTransport(socket: WebSocket): Transport<ClientMessage, ServerMessage> {
  const messages = new Listeners<ClientMessage>();
  const closed = new CloseSignal();
  const finish = (reason: string): void => {
    closed.fire(reason);
    messages.clear();
  };
  const refuse = (code: number, reason: string): void => {
    socket.close(code, reason);
    finish(`protocol error: ${reason}`);
  };

  socket.on('message', (data, isBinary) => {
    if (closed.closed) return;
    if (isBinary) return refuse(1003, 'binary frames are not accepted; send JSON text');
    const message = parseClientFrame(rawToString(data));
    if (!message) return refuse(1007, 'malformed frame: expected a JSON request or cancel');
    messages.emit(message);
  });
  socket.on('close', (code, reason) => finish(`socket closed (${code}${reason.length ? `: ${reason.toString('utf8')}` : ''})`));
  socket.on('error', (err) => finish(`socket error: ${err.message}`));

  return {
    send(message) {
      if (!closed.closed && socket.readyState === OPEN) socket.send(encode(message));
    },
    onMessage: (handler) => messages.add(handler),
    onClose: (handler) => closed.subscribe(handler),
    close() {
      if (socket.readyState === OPEN) socket.close(1000, 'closed by the host');
      finish('closed by the host');
    },
  };
}
