// Serves one client connection: checks every incoming message, validates params with the shared schemas (the
// same for every transport), runs the handler, answers with exactly one response (errors cross as WireError),
// forwards progress, honours cancel, and pushes host events. A malformed message never reaches a handler.
import type { Method } from '../../src-shared/protocol/api';
import { ParamSchemas } from '../../src-shared/protocol/api';
import { ClientMessageSchema } from '../../src-shared/protocol/messages';
import type { ClientMessage, ServerMessage, Transport } from '../../src-shared/protocol/wire';
import { parseWith } from '../../src-shared/domain/validate';
import { PeftLabError, errorToWire } from '../../src-shared/errors';
import type { HandlerMap } from './handlers/types';
import type { HostServices } from './services';

export function serveConnection(transport: Transport<ClientMessage, ServerMessage>, handlers: HandlerMap, s: HostServices, log: (msg: string) => void): () => void {
  const inflight = new Map<number, AbortController>();
  const send = (m: ServerMessage) => {
    try {
      transport.send(m);
    } catch {
      /* connection gone; nothing to tell */
    }
  };
  const unsubscribe = s.bus.subscribe((name, payload) => send({ kind: 'event', name, payload }));

  const handle = async (raw: unknown): Promise<void> => {
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      send({ kind: 'response', id, ok: false, error: errorToWire(new PeftLabError('BAD_ARGUMENT', `malformed message: ${parsed.error.issues[0]?.message ?? 'invalid'}`)) });
      return;
    }
    const m = parsed.data;
    if (m.kind === 'cancel') {
      inflight.get(m.id)?.abort();
      return;
    }
    const controller = new AbortController();
    inflight.set(m.id, controller);
    try {
      if (!(m.method in ParamSchemas)) throw new PeftLabError('BAD_ARGUMENT', `unknown method "${m.method}"`);
      const method = m.method as Method;
      const params = parseWith(ParamSchemas[method], m.params ?? {}, method, 'BAD_ARGUMENT');
      const handler = handlers[method] as (p: unknown, ctx: unknown) => unknown;
      const result = await handler(params, { s, signal: controller.signal, progress: (progress: unknown) => send({ kind: 'progress', id: m.id, progress }) });
      send({ kind: 'response', id: m.id, ok: true, result: result ?? null });
    } catch (e) {
      if (!(e instanceof PeftLabError)) log(`internal error in ${m.method}: ${(e as Error)?.stack ?? String(e)}`);
      send({ kind: 'response', id: m.id, ok: false, error: errorToWire(e) });
    } finally {
      inflight.delete(m.id);
    }
  };

  const offMessage = transport.onMessage((raw) => void handle(raw));
  const offClose = transport.onClose(() => detach());
  function detach(): void {
    unsubscribe();
    offMessage();
    offClose();
    for (const c of inflight.values()) c.abort();
  }
  return detach;
}
