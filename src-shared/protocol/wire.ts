// The messages that cross between a client (the renderer, or a test) and the host, on any transport
// (Electron MessagePort or WebSocket). Requests carry an id; the host answers each with exactly one response,
// may send progress for it before that, and pushes events at any time. Errors cross as WireError and are rebuilt.
import type { WireError } from '../errors';

export type ClientMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'cancel'; id: number };

export type ServerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: WireError }
  | { kind: 'progress'; id: number; progress: unknown }
  | { kind: 'event'; name: string; payload: unknown };

/** A bidirectional message channel; transports deliver already-parsed objects. */
export interface Transport<In, Out> {
  send(message: Out): void;
  onMessage(handler: (message: In) => void): () => void;
  onClose(handler: (reason: string) => void): () => void;
  close(): void;
}
