// The host as Electron's utility process: forked from the built utility-entry.js next to this bundle, handed one
// MessagePort per window load, asked how many runs are in flight before quitting, and shut down with a handshake
// (killed if it does not answer in time). Speaks the typed control messages of utility-control.ts.
import { join } from 'node:path';
import { MessageChannelMain, utilityProcess } from 'electron';
import type { MessagePortMain, UtilityProcess, WebContents } from 'electron';
import { asHostToShell, DATA_DIR_FLAG } from '../host/transports/utility-control';
import type { HostToShell, ShellToHost } from '../host/transports/utility-control';
import { serveTokenStore, TokenStore } from './token-store';

export const HOST_PORT_CHANNEL = 'peft-lab:host-port';

export interface InFlight {
  runs: number;
  labels: string[];
}

export class HostProcess {
  private readonly child: UtilityProcess;
  private readonly waiters = new Set<(m: HostToShell) => void>();
  private nextRequest = 1;
  private exited = false;
  private stopping = false;

  constructor(dataDir: string, handlers: { onFatal(message: string): void; onUnexpectedExit(code: number): void }) {
    this.child = utilityProcess.fork(join(__dirname, 'utility-entry.js'), [`${DATA_DIR_FLAG}${dataDir}`], {
      serviceName: 'PEFT Lab host',
      stdio: 'inherit',
      env: { ...process.env, PEFT_LAB_DATA: dataDir },
    });
    serveTokenStore(this.child, new TokenStore(join(dataDir, 'hf-token.bin'))); // the Hub token, keychain-encrypted
    this.child.on('message', (data: unknown) => {
      const message = asHostToShell(data);
      if (!message) return;
      if (message.type === 'fatal') handlers.onFatal(message.message);
      for (const w of [...this.waiters]) w(message);
    });
    this.child.on('exit', (code) => {
      this.exited = true;
      for (const w of [...this.waiters]) w({ type: 'shutdown-done' });
      if (!this.stopping) handlers.onUnexpectedExit(code);
    });
  }

  /** A fresh channel for one page load: one end to the host, the other to the page (via the preload). */
  connect(contents: WebContents): void {
    if (this.exited) return;
    const { port1, port2 } = new MessageChannelMain();
    this.send({ type: 'connect' }, [port1]);
    contents.postMessage(HOST_PORT_CHANNEL, null, [port2]);
  }

  /** Runs in flight, or null when the host does not answer within `timeoutMs`. */
  inFlight(timeoutMs = 3000): Promise<InFlight | null> {
    if (this.exited) return Promise.resolve(null);
    const requestId = this.nextRequest++;
    return this.waitFor(
      (m) => (m.type === 'in-flight' && m.requestId === requestId ? { runs: m.runs, labels: m.labels } : undefined),
      timeoutMs,
      () => this.send({ type: 'in-flight', requestId }),
    );
  }

  /** Asks the host to stop its runs and close the store; kills it if that takes longer than `timeoutMs`. */
  async shutdown(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    const done = await this.waitFor((m) => (m.type === 'shutdown-done' ? true : undefined), timeoutMs, () => this.send({ type: 'shutdown' }));
    if (!done && !this.exited) this.child.kill();
  }

  private send(message: ShellToHost, ports: MessagePortMain[] = []): void {
    this.child.postMessage(message, ports);
  }

  private waitFor<T>(match: (m: HostToShell) => T | undefined, timeoutMs: number, start: () => void): Promise<T | null> {
    return new Promise((resolve) => {
      const finish = (value: T | null): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      const waiter = (m: HostToShell): void => {
        const value = match(m);
        if (value !== undefined) finish(value);
        else if (this.exited) finish(null);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      this.waiters.add(waiter);
      start();
    });
  }
}
