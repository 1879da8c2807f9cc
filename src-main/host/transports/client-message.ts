// The shape check every host-side transport applies to what a client sends, before the host sees it: a message
// is a request ({kind, id, method, params}) or a cancel ({kind, id}); anything else is a protocol error that
// closes the connection. Params are validated later, per method, by the host's zod schemas.
import type { ClientMessage } from '../../../src-shared/protocol/wire';

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The message as a ClientMessage, or null when it is not one. */
export function asClientMessage(value: unknown): ClientMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  if (m.kind === 'request' && isId(m.id) && typeof m.method === 'string') {
    return { kind: 'request', id: m.id, method: m.method, params: m.params };
  }
  if (m.kind === 'cancel' && isId(m.id)) return { kind: 'cancel', id: m.id };
  return null;
}

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
