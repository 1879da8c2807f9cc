// A stand-in for the HostClient in renderer unit tests: answers requests from a handler table, records them,
// and lets the test push events.
import type { Events, EventName, Method, ParamsOf, ResultOf } from '../../src-shared/protocol/api';
import type { Host } from '../../src-renderer/lib/host';

type Handler<K extends Method> = (params: ParamsOf<K>, signal?: AbortSignal) => Promise<ResultOf<K>> | ResultOf<K>;

export class FakeHost {
  readonly calls: { method: Method; params: unknown; signal?: AbortSignal }[] = [];
  private readonly handlers = new Map<Method, Handler<Method>>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();

  handle<K extends Method>(method: K, handler: Handler<K>): this {
    this.handlers.set(method, handler as unknown as Handler<Method>);
    return this;
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const l of this.listeners.get(name) ?? []) l(payload);
  }

  get host(): Host {
    return {
      request: (async (method: Method, params: unknown, opts: { signal?: AbortSignal } = {}) => {
        this.calls.push({ method, params, signal: opts.signal });
        const h = this.handlers.get(method);
        if (!h) throw new Error(`no fake handler for ${method}`);
        return h(params as never, opts.signal);
      }) as Host['request'],
      on: ((name: string, handler: (p: unknown) => void) => {
        let set = this.listeners.get(name);
        if (!set) this.listeners.set(name, (set = new Set()));
        set.add(handler);
        return () => set!.delete(handler);
      }) as Host['on'],
    };
  }
}

/** A promise with its resolve handle, to hold a fake answer until the test releases it. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
