// The desktop's transports without Electron: the host's MessagePortMain transport and the renderer's MessagePort
// transport over a Node MessageChannel (the same structured-clone semantics), and the utility process's control
// channel (window ports attached, in-flight question, shutdown) against a fake parent port.
import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort as NodePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createPortTransport } from '../../../src-main/host/transports/port-transport';
import type { MessagePortMainLike } from '../../../src-main/host/transports/port-transport';
import { serveParentPort } from '../../../src-main/host/transports/parent-port-channel';
import { asHostToShell, asShellToHost, dataDirFromArgv } from '../../../src-main/host/transports/utility-control';
import { createMessagePortTransport } from '../../../src-renderer/transport/message-port';
import type { MessagePortLike } from '../../../src-renderer/transport/message-port';
import { PeftLabError } from '../../../src-shared/errors';
import { HostClient } from '../../../src-shared/protocol/client';
import { fakeHost } from './helpers';

/** Node's MessagePort dressed as Electron's MessagePortMain (whose 'message' listener gets `{ data, ports }`). */
function asPortMain(port: NodePort): MessagePortMainLike {
  return {
    postMessage: (m) => port.postMessage(m),
    on: (event: 'message' | 'close', listener: (e: { data: unknown }) => void) =>
      event === 'message' ? port.on('message', (data: unknown) => listener({ data })) : port.on('close', () => (listener as () => void)()),
    start: () => port.start(),
    close: () => port.close(),
  } as MessagePortMainLike;
}

function connected(): { client: HostClient; hostPort: NodePort; pagePort: NodePort; host: ReturnType<typeof fakeHost> } {
  const { port1, port2 } = new MessageChannel();
  const host = fakeHost();
  host.attach(createPortTransport(asPortMain(port1)));
  const client = new HostClient(createMessagePortTransport(port2 as unknown as MessagePortLike));
  return { client, hostPort: port1, pagePort: port2, host };
}

describe('HostClient over a MessagePort', () => {
  it('answers requests, rebuilds errors, receives events and delivers cancel', async () => {
    const { client, host } = connected();
    expect(await client.request('models/remove', { id: 3 })).toEqual({ method: 'models/remove', params: { id: 3 } });
    const err = await client.request('runs/get', { id: 404 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeftLabError);
    expect((err as PeftLabError).code).toBe('FILE_NOT_FOUND');
    const events: unknown[] = [];
    client.on('models/changed', (p) => events.push(p));
    await client.request('models/list', {});
    expect(events).toEqual([null]);
    const abort = new AbortController();
    const probe = client.request('sweeps/probe', { spec: {} as never }, { signal: abort.signal, onProgress: () => abort.abort() });
    expect(((await probe.catch((e: unknown) => e)) as PeftLabError).code).toBe('CANCELLED');
    expect(host.cancels).toHaveLength(1);
    client.close();
  });

  it('closes the port on a message that is not a request or cancel', async () => {
    const { port1, port2 } = new MessageChannel();
    const transport = createPortTransport(asPortMain(port1));
    const reason = new Promise<string>((resolve) => transport.onClose(resolve));
    port2.postMessage({ kind: 'hello' });
    expect(await reason).toMatch(/protocol error/);
    port2.close();
  });

  it('reports the close when the page side goes away', async () => {
    const { port1, port2 } = new MessageChannel();
    const transport = createPortTransport(asPortMain(port1));
    const reason = new Promise<string>((resolve) => transport.onClose(resolve));
    port2.close();
    expect(await reason).toMatch(/closed its port/);
  });
});

describe('the utility process control channel', () => {
  function parentPort(): EventEmitter & { sent: unknown[]; postMessage(m: unknown): void } {
    const p = Object.assign(new EventEmitter(), { sent: [] as unknown[], postMessage: (m: unknown) => p.sent.push(m) });
    return p;
  }
  const tick = () => new Promise((r) => setTimeout(r, 20));

  it('reports ready, attaches each window port, answers the in-flight question, shuts down on request', async () => {
    const host = fakeHost();
    host.runs = 2;
    const pp = parentPort();
    const done = serveParentPort(pp, Promise.resolve(host));
    const { port1, port2 } = new MessageChannel();
    pp.emit('message', { data: { type: 'connect' }, ports: [asPortMain(port1)] });
    pp.emit('message', { data: { type: 'in-flight', requestId: 7 }, ports: [] });
    pp.emit('message', { data: { type: 'bogus' }, ports: [] });
    await tick();
    expect(host.connections).toBe(1);
    const client = new HostClient(createMessagePortTransport(port2 as unknown as MessagePortLike));
    expect(await client.request('app/info', {})).toEqual({ method: 'app/info', params: {} });
    pp.emit('message', { data: { type: 'shutdown' }, ports: [] });
    await done;
    expect(host.shutdowns).toBe(1);
    expect(pp.sent).toEqual([
      { type: 'ready' },
      { type: 'in-flight', requestId: 7, runs: 2, labels: ['run 1', 'run 2'] },
      { type: 'shutdown-done' },
    ]);
    client.close();
  });

  it('tells the shell when the host cannot start', async () => {
    const pp = parentPort();
    void serveParentPort(pp, Promise.reject(new Error('database is locked')));
    await tick();
    expect(pp.sent).toEqual([{ type: 'fatal', message: 'database is locked' }]);
  });

  it('checks the control messages both ways and finds the data folder in argv', () => {
    expect(asShellToHost({ type: 'in-flight', requestId: 1 })).toEqual({ type: 'in-flight', requestId: 1 });
    expect(asShellToHost({ type: 'in-flight' })).toBeNull();
    expect(asShellToHost('connect')).toBeNull();
    expect(asHostToShell({ type: 'in-flight', requestId: 1, runs: 1, labels: ['a'] })).toEqual({ type: 'in-flight', requestId: 1, runs: 1, labels: ['a'] });
    expect(asHostToShell({ type: 'fatal' })).toBeNull();
    expect(dataDirFromArgv(['electron', '--peft-lab-data=/home/me/.config/PEFT Lab'])).toBe('/home/me/.config/PEFT Lab');
    expect(dataDirFromArgv(['electron'])).toBeUndefined();
  });
});
