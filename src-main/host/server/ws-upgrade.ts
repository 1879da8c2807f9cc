// The WebSocket upgrade at /ws: the same Host check as pages, an Origin that is this server itself (a browser always
// sends Origin; a page on another site, or no Origin at all, is refused), and the access token (cookie or `token`
// query). An accepted socket is handed to the host as one connection.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { isAuthorised } from './access-token';
import { isAllowedHost, isAllowedOrigin, splitTarget } from './request-guards';

export const WS_PATH = '/ws';

export interface UpgradeContext {
  port: number;
  token: string;
  wss: WebSocketServer;
  onSocket(socket: WebSocket): void;
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Why this upgrade request may not proceed, or null when it may. */
function refusal(req: IncomingMessage, ctx: UpgradeContext): [number, string] | null {
  const target = splitTarget(req.url);
  if (!target || target.pathname !== WS_PATH) return [404, 'not found'];
  if (!isAllowedHost(req.headers.host, ctx.port)) return [421, 'misdirected request'];
  if (!isAllowedOrigin(req.headers.origin, ctx.port)) return [403, 'WebSocket refused: the page is not from this server'];
  if (!isAuthorised(req, target.query, ctx.port, ctx.token)) return [401, 'WebSocket refused: missing or wrong access token'];
  return null;
}

export function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext): void {
  socket.on('error', () => socket.destroy());
  const refused = refusal(req, ctx);
  if (refused) return refuse(socket, refused[0], refused[1]);
  ctx.wss.handleUpgrade(req, socket, head, (ws) => ctx.onSocket(ws));
}
