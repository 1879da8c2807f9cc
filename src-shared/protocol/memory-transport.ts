// Two connected in-memory transports (the CLI talks to an in-process host through them; tests too). Messages
// are structured-cloned, as on every real transport, so nothing shares object identity across the pair.
import type { ClientMessage, ServerMessage, Transport } from './wire';

class End<In, Out> implements Transport<In, Out> {
  peer!: End<Out, In>;
  private readonly handlers = new Set<(m: In) => void>();
  private readonly closeHandlers = new Set<(reason: string) => void>();
  closed = false;

  send(message: Out): void {
    if (this.closed) throw new Error('transport closed');
    const copy = structuredClone(message);
    queueMicrotask(() => this.peer.deliver(copy));
  }
  deliver(m: In): void {
    if (!this.closed) for (const h of this.handlers) h(m);
  }
  onMessage(h: (m: In) => void): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  onClose(h: (reason: string) => void): () => void {
    this.closeHandlers.add(h);
    return () => this.closeHandlers.delete(h);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers) h('closed');
    this.peer.close();
  }
}

export function memoryTransportPair(): { client: Transport<ServerMessage, ClientMessage>; server: Transport<ClientMessage, ServerMessage> } {
  const client = new End<ServerMessage, ClientMessage>();
  const server = new End<ClientMessage, ServerMessage>();
  client.peer = server;
  server.peer = client;
  return { client, server };
}
