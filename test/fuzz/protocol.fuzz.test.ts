// Hostile protocol payloads (issue 9): for every method of ParamSchemas, arbitrary JSON and params shaped like the
// method's own (right keys, wrong or dangling values) go through a real in-process host's dispatcher, and raw
// messages that are not requests at all (the transports' own check is in transports.fuzz.test.ts).
// Every request gets exactly one response: a result, or a structured error that is not INTERNAL. Nothing is stored.
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostCore } from '../../src-main/host/host';
import { createHost } from '../../src-main/host/host';
import { METHODS, ParamSchemas } from '../../src-shared/protocol/api';
import type { Method } from '../../src-shared/protocol/api';
import { ClientMessageSchema } from '../../src-shared/protocol/messages';
import type { ClientMessage, ServerMessage, Transport } from '../../src-shared/protocol/wire';
import { hostileJson, jsonText } from './arbitraries';
import { fuzzFamily, fuzzTempDir } from './fuzz-kit';
import { storeCounts } from './host-kit';

const fuzz = fuzzFamily('protocol payloads');
const root = fuzzTempDir('proto');
let host: HostCore;
const responses = new Map<number, (m: ServerMessage) => void>();
let deliver: (m: ClientMessage) => void = () => undefined;

/**
 * A transport that hands messages over by reference: structured cloning (memory and MessagePort transports) and
 * JSON.stringify (WebSocket clients) both overflow the stack on values nested thousands deep, on the sending side,
 * so only an uncloned transport gets such values to the host.
 */
function directTransport(): Transport<ClientMessage, ServerMessage> {
  const closers = new Set<(reason: string) => void>();
  return {
    send: (m) => {
      if (m.kind === 'response') responses.get(m.id)?.(m);
    },
    onMessage: (h) => {
      deliver = h;
      return () => (deliver = () => undefined);
    },
    onClose: (h) => {
      closers.add(h);
      return () => closers.delete(h);
    },
    close: () => closers.forEach((h) => h('closed')),
  };
}

beforeAll(async () => {
  host = await createHost({ dataDir: path.join(root, 'data'), mode: 'cli', log: () => undefined });
  host.attach(directTransport());
});
afterAll(async () => {
  await host?.shutdown();
});

let nextId = 1;
/** Sends one raw message and waits for its response (60 s at most, app/info probes the backends in a worker). */
function send(message: unknown, id: number): Promise<Extract<ServerMessage, { kind: 'response' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response to ${jsonText(message).slice(0, 200)}`)), 60_000);
    responses.set(id, (m) => {
      clearTimeout(timer);
      responses.delete(id);
      resolve(m as Extract<ServerMessage, { kind: 'response' }>);
    });
    deliver(message as ClientMessage);
  });
}

/** One request: answered, and when it fails, with a structured error a person can act on (not INTERNAL). */
async function request(method: string, params: unknown): Promise<void> {
  const id = nextId++;
  const r = await send({ kind: 'request', id, method, params }, id);
  expect(r.id).toBe(id);
  if (!r.ok) {
    expect(r.error.code, `${method}: ${r.error.message.slice(0, 500)}`).not.toBe('INTERNAL');
    expect(r.error.message.length, r.error.message.slice(0, 300)).toBeLessThanOrEqual(4_000);
    expect(r.error.message).not.toMatch(/TypeError|RangeError|Cannot read prop|undefined is not/);
  }
}

/** The keys of a method's params schema (objects; refined objects expose their inner shape too). */
function keysOf(method: Method): string[] {
  const schema = ParamSchemas[method] as unknown as { shape?: Record<string, unknown> };
  return Object.keys(schema.shape ?? {});
}

/** Values that pass the basic type checks: ids of rows that do not exist, small counts, names, flags. */
const plausible = fc.oneof(
  fc.integer({ min: 1, max: 5 }), fc.constantFrom(10_000, 2 ** 31 - 1), fc.boolean(), fc.string({ maxLength: 12 }),
  fc.constantFrom('csv', 'json', 'md', 'jsonl', 'alpaca', 'loss', 'better', 'left', null),
  fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }), fc.constant({}),
);

function shapedParams(method: Method): fc.Arbitrary<Record<string, unknown>> {
  const keys = keysOf(method);
  if (keys.length === 0) return fc.constant({});
  return fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: hostileJson })])), { requiredKeys: [] });
}

describe('every protocol method', () => {
  it(`arbitrary JSON, then params shaped like each method's own, for all ${METHODS.length} methods: one structured answer each, no rows stored`, async () => {
    const before = storeCounts(host);
    for (const method of METHODS) {
      await fuzz.check(fc.asyncProperty(fc.oneof(hostileJson, shapedParams(method)), async (params) => {
        await request(method, params);
        return true;
      }), 10);
    }
    expect(storeCounts(host)).toEqual(before);
  });

  it('messages that are not requests: unknown methods, bad ids, wrong kinds, junk; the host keeps answering', async () => {
    const message = fc.oneof(
      hostileJson,
      fc.record({ kind: fc.constantFrom('request', 'cancel', 'event', 'response'), id: fc.oneof(fc.integer({ min: -3, max: 3 }), hostileJson), method: fc.oneof(fc.string(), hostileJson), params: hostileJson }, { requiredKeys: [] }),
    );
    await fuzz.check(fc.asyncProperty(message, async (m) => {
      const parsed = ClientMessageSchema.safeParse(m);
      if (parsed.success && parsed.data.kind === 'cancel') return true; // a cancel has no answer
      const id = parsed.success ? parsed.data.id : -1;
      if (id >= 0) {
        const r = await send(m, id);
        if (!r.ok) expect(r.error.code).not.toBe('INTERNAL');
      } else {
        deliver(m as ClientMessage); // answered with id -1 ("malformed message"), or dropped
      }
      return true;
    }), 150);
    const id = nextId++;
    expect((await send({ kind: 'request', id, method: 'settings/get', params: {} }, id)).ok).toBe(true);
  });
});
