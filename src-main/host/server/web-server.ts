// Web mode's server: the built renderer and the host's API (WebSocket at /ws) on 127.0.0.1 only, behind a random
// access token. The printed URL carries the token once; the first page request trades it for a cookie.
// Defences against other sites in the same browser live in request-guards.ts; see page-requests.ts and
// ws-upgrade.ts for the order of checks.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { PeftLabError } from '../../../src-shared/errors';
import type { HostCore } from '../host';
import { createWsServerTransport, MAX_FRAME_BYTES } from '../transports/ws-server-transport';
import { chooseToken } from './access-token';
import { handlePageRequest } from './page-requests';
import { sendText } from './security-headers';
import { handleUpgrade } from './ws-upgrade';

export interface WebServerOptions {
  host: Pick<HostCore, 'attach'>;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** Defaults to 32 random bytes as hex. */
  token?: string;
  /** Refuse to start without staticDir/index.html (default true); when false, pages answer 503 until it is built. */
  requireBuild?: boolean;
}

export interface WebServer {
  /** `http://127.0.0.1:PORT/?token=TOKEN` */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const BIND_ADDRESS = '127.0.0.1';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') reject(new PeftLabError('BAD_ARGUMENT', `port ${port} is already in use on ${BIND_ADDRESS}: choose another with --port (0 picks a free one).`));
      else if (err.code === 'EACCES') reject(new PeftLabError('BAD_ARGUMENT', `port ${port} needs more privileges: choose one above 1023 with --port.`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, BIND_ADDRESS, () => {
      server.off('error', onError);
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PeftLabError('BAD_ARGUMENT', `port must be a whole number from 0 to 65535 (got ${port}).`);
  }
}

export function checkBuilt(staticDir: string): void {
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new PeftLabError('FILE_NOT_FOUND', `The renderer is not built: ${join(staticDir, 'index.html')} is missing: run \`npm run build\` first.`);
  }
}

/** Detaches every connection from the host, closes it politely, and cuts the ones that do not answer in time. */
async function closeSockets(live: Map<WebSocket, () => void>, graceMs = 1000): Promise<void> {
  const sockets = [...live.entries()];
  live.clear();
  const closed = sockets.map(([ws, detach]) => {
    detach();
    return new Promise<void>((done) => {
      if (ws.readyState === ws.CLOSED) return done();
      ws.once('close', () => done());
      ws.close(1001, 'the server is shutting down');
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((done) => (timer = setTimeout(done, graceMs)));
  await Promise.race([Promise.all(closed), timeout]);
  clearTimeout(timer);
  for (const [ws] of sockets) if (ws.readyState !== ws.CLOSED) ws.terminate();
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const staticDir = resolve(opts.staticDir);
  if (opts.requireBuild ?? true) checkBuilt(staticDir);
  const token = chooseToken(opts.token);
  checkPort(opts.port ?? 0);
  const live = new Map<WebSocket, () => void>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const ctx = { port: 0, token, staticDir };

  const server = createServer((req, res) => {
    handlePageRequest(req, res, ctx).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  });
  const onSocket = (ws: WebSocket): void => {
    const detach = opts.host.attach(createWsServerTransport(ws));
    live.set(ws, detach);
    ws.once('close', () => live.delete(ws));
  };
  server.on('upgrade', (req, socket, head) => handleUpgrade(req, socket, head, { port: ctx.port, token, wss, onSocket }));
  ctx.port = await listen(server, opts.port ?? 0);

  const close = async (): Promise<void> => {
    await closeSockets(live);
    await new Promise<void>((done) => wss.close(() => done()));
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  };
  return { url: `http://${BIND_ADDRESS}:${ctx.port}/?token=${token}`, port: ctx.port, token, close };
}
