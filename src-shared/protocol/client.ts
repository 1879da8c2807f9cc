// The typed client every front end uses (renderer over a MessagePort or WebSocket, tests, the CLI in-process):
// `request('runs/stop', { id })` returns the typed result or throws the host's PeftLabError rebuilt; `on(event)`
// subscribes to pushed events; an AbortSignal cancels a long request.
import { PeftLabError, errorFromWire } from '../errors';
import type { Events, EventName, Method, ParamsOf, ProgressOf, ResultOf } from './api';
import type { ClientMessage, ServerMessage, Transport } from './wire';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: unknown) => void;
}

export class HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private closedReason: string | null = null;

  constructor(private readonly transport: Transport<ServerMessage, ClientMessage>) {
    transport.onMessage((m) => this.receive(m));
    transport.onClose((reason) => this.fail(reason));
  }

  request<K extends Method>(
    method: K,
    params: ParamsOf<K>,
    opts: { signal?: AbortSignal; onProgress?: (p: ProgressOf<K>) => void } = {},
  ): Promise<ResultOf<K>> {
    if (this.closedReason !== null) return Promise.reject(new PeftLabError('INTERNAL', `not connected to the host: ${this.closedReason}`));
    const id = this.nextId++;
    return new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress as ((p: unknown) => void) | undefined });
      opts.signal?.addEventListener('abort', () => this.transport.send({ kind: 'cancel', id }), { once: true });
      this.transport.send({ kind: 'request', id, method, params });
    });
  }

  on<E extends EventName>(name: E, handler: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(handler as (p: unknown) => void);
    return () => set!.delete(handler as (p: unknown) => void);
  }

  close(): void {
    this.transport.close();
    this.fail('closed by the client');
  }

  private receive(m: ServerMessage): void {
    if (m.kind === 'event') {
      for (const h of this.listeners.get(m.name) ?? []) h(m.payload);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === 'progress') {
      p.onProgress?.(m.progress);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(errorFromWire(m.error));
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    for (const p of this.pending.values()) p.reject(new PeftLabError('INTERNAL', `connection to the host closed: ${reason}`));
    this.pending.clear();
  }
}
