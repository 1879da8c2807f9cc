// The two host transports (WebSocket frames, Electron MessagePort messages) and the dispatcher must judge a client
// message by the same zod schema from src-shared (issue 9): any value, and any JSON frame, is accepted by the
// transports exactly when ClientMessageSchema accepts it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asClientMessage, parseClientFrame } from '../../src-main/host/transports/client-message';
import { ClientMessageSchema } from '../../src-shared/protocol/messages';
import { hostileJson, jsonText } from './arbitraries';
import { fuzzFamily } from './fuzz-kit';

const fuzz = fuzzFamily('transport messages');

describe('both transports check messages with the shared schema', () => {
  it('the MessagePort check and the WebSocket frame check agree with ClientMessageSchema on any input', async () => {
    const candidate = fc.oneof(
      hostileJson,
      fc.record({ kind: fc.constantFrom('request', 'cancel', 'x'), id: fc.oneof(fc.integer({ min: -2, max: 2 ** 53 + 2 }), fc.double(), hostileJson), method: fc.oneof(fc.string({ maxLength: 120 }), hostileJson), params: hostileJson, extra: fc.jsonValue() }, { requiredKeys: ['kind'] }),
    );
    await fuzz.check(fc.asyncProperty(candidate, async (m) => {
      const expected = ClientMessageSchema.safeParse(m).success;
      expect(asClientMessage(m) !== null).toBe(expected); // MessagePort: structured-cloned objects
      const text = jsonText(m);
      expect(parseClientFrame(text) !== null).toBe(ClientMessageSchema.safeParse(JSON.parse(text)).success); // WebSocket: JSON frames
      return true;
    }), 400);
  });

  it('the transports import the schema from src-shared (no hand-written check left)', () => {
    const src = fs.readFileSync(path.join('src-main', 'host', 'transports', 'client-message.ts'), 'utf8');
    expect(src).toContain("from '../../../src-shared/protocol/messages'");
    for (const f of ['port-transport.ts', 'ws-server-transport.ts']) {
      expect(fs.readFileSync(path.join('src-main', 'host', 'transports', f), 'utf8')).toMatch(/asClientMessage|parseClientFrame/);
    }
    expect(fs.readFileSync(path.join('src-main', 'host', 'dispatcher.ts'), 'utf8')).toContain("import { ClientMessageSchema } from '../../src-shared/protocol/messages'");
    fuzz.count(1);
  });
});
