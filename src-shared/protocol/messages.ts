// The one definition of a well-formed client message (wire.ts ClientMessage) as a zod schema: both host transports
// (WebSocket frames, Electron MessagePort messages) and the dispatcher check what a client sends against it, so
// no transport can let through a shape the others refuse. Params are validated later, per method (api.ts).
import { z } from 'zod';
import type { ClientMessage } from './wire';

const messageId = z.number().int().nonnegative();

export const ClientMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('request'), id: messageId, method: z.string().max(100), params: z.unknown().optional() }),
  z.strictObject({ kind: z.literal('cancel'), id: messageId }),
]);

/** The message as a ClientMessage, or null when it is not one. */
export function parseClientMessage(value: unknown): ClientMessage | null {
  const r = ClientMessageSchema.safeParse(value);
  if (!r.success) return null;
  return r.data.kind === 'request' ? { kind: 'request', id: r.data.id, method: r.data.method, params: r.data.params } : r.data;
}
