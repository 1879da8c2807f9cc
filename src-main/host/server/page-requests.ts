// Plain HTTP requests of web mode, in order: the Host header must name this server (DNS rebinding), only GET/HEAD,
// a `token` query parameter is exchanged for the session cookie and a redirect to the same path without it, and
// everything else needs that cookie before a static file is served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAuthorised, sessionCookie, tokenMatches } from './access-token';
import { isAllowedHost, splitTarget } from './request-guards';
import { sendText } from './security-headers';
import { serveStatic } from './static-files';

export interface PageContext {
  port: number;
  token: string;
  staticDir: string;
}

/** Where to send the browser after the token exchange: the same path, never another host (`//evil`, `/\evil`). */
function redirectTarget(pathname: string, query: URLSearchParams): string {
  query.delete('token');
  const safePath = /^\/(?![/\\])/.test(pathname) ? pathname : '/';
  const rest = query.toString();
  return rest ? `${safePath}?${rest}` : safePath;
}

function exchangeToken(res: ServerResponse, ctx: PageContext, pathname: string, query: URLSearchParams): void {
  if (!tokenMatches(query.get('token'), ctx.token)) {
    return sendText(res, 401, 'Wrong access token: open the exact URL that `peft-lab serve` printed.');
  }
  sendText(res, 303, 'signed in', { 'Set-Cookie': sessionCookie(ctx.port, ctx.token), Location: redirectTarget(pathname, query) });
}

export async function handlePageRequest(req: IncomingMessage, res: ServerResponse, ctx: PageContext): Promise<void> {
  if (!isAllowedHost(req.headers.host, ctx.port)) {
    return sendText(res, 421, `Misdirected request: this server answers only to 127.0.0.1:${ctx.port} and localhost:${ctx.port}.`);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  const target = splitTarget(req.url);
  if (!target) return sendText(res, 400, 'malformed request target');
  if (target.query.has('token')) return exchangeToken(res, ctx, target.pathname, target.query);
  if (!isAuthorised(req, target.query, ctx.port, ctx.token)) {
    return sendText(res, 401, 'PEFT Lab needs its access token: open the URL that `peft-lab serve` printed (it ends in ?token=…).');
  }
  await serveStatic(res, ctx.staticDir, target.pathname);
}
