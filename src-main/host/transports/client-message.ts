// The shape check every host-side transport applies to what a client sends, before the host sees it: a message
// is a request ({kind, id, method, params}) or a cancel ({kind, id}); anything else is a protocol error that
// closes the connection. Both transports use the schema of src-shared/protocol/messages.ts; params are validated
// later, per method, by the host's zod schemas.
import { parseClientMessage } from '../../../src-shared/protocol/messages';
import type { ClientMessage } from '../../../src-shared/protocol/wire';

/** The message as a ClientMessage, or null when it is not one: the shared zod schema (src-shared/protocol/messages.ts). */
export const asClientMessage = parseClientMessage;

/** Parses one JSON text frame; null when it is not JSON or not a ClientMessage. */
export function parseClientFrame(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return asClientMessage(value);
}
