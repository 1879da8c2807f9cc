// The host's side of the utility process's control channel (see utility-control.ts): attaches every port the shell
// sends as one connection, answers the in-flight question, and shuts the host down on request. Typed structurally
// (Electron's process.parentPort) so it runs and is tested in plain Node.
import type { HostCore } from '../host';
import { createPortTransport } from './port-transport';
import type { MessagePortMainLike } from './port-transport';
import { asShellToHost } from './utility-control';
import type { HostToShell, ShellToHost } from './utility-control';

/** What the control channel needs of the host. */
export type ControlledHost = Pick<HostCore, 'attach' | 'inFlight' | 'shutdown'>;

export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

async function handle(host: ControlledHost, message: ShellToHost, ports: MessagePortMainLike[], reply: (m: HostToShell) => void): Promise<void> {
  switch (message.type) {
    case 'connect':
      for (const port of ports) host.attach(createPortTransport(port));
      return;
    case 'in-flight':
      reply({ type: 'in-flight', requestId: message.requestId, ...host.inFlight() });
      return;
    case 'shutdown':
      await host.shutdown();
      reply({ type: 'shutdown-done' });
  }
}

/**
 * Starts listening at once (messages that arrive while the host is still opening wait for it), reports `ready` or
 * `fatal` to the shell. Resolves when the shell asked for a shutdown and it is done.
 */
export function serveParentPort(parentPort: ParentPortLike, hostReady: Promise<ControlledHost>): Promise<void> {
  const reply = (m: HostToShell): void => parentPort.postMessage(m);
  return new Promise((resolveDone) => {
    parentPort.on('message', (event) => {
      const message = asShellToHost(event.data);
      if (!message) return;
      void hostReady
        .then((host) => handle(host, message, event.ports ?? [], reply))
        .then(() => {
          if (message.type === 'shutdown') resolveDone();
        })
        .catch((err: unknown) => reply({ type: 'fatal', message: (err as Error)?.message ?? String(err) }));
    });
    hostReady.then(
      () => reply({ type: 'ready' }),
      (err: unknown) => reply({ type: 'fatal', message: (err as Error)?.message ?? String(err) }),
    );
  });
}
