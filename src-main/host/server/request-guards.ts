// Defences of a server on 127.0.0.1 against other web pages in the same browser: DNS rebinding (a hostile name that
// resolves to 127.0.0.1 sends its own Host header) and cross-site WebSocket hijacking (a hostile page opens
// ws://127.0.0.1:PORT/ws and the browser sends its Origin). Only this server's own names are accepted.
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader !== undefined && allowedHosts(port).includes(hostHeader.toLowerCase());
}

export function isAllowedOrigin(originHeader: string | undefined, port: number): boolean {
  return originHeader !== undefined && allowedOrigins(port).includes(originHeader.toLowerCase());
}

/** Splits a request target into its raw path and its query; null for anything but an origin-form path. */
export function splitTarget(target: string | undefined): { pathname: string; query: URLSearchParams } | null {
  if (!target || !target.startsWith('/')) return null;
  const q = target.indexOf('?');
  const pathname = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  return { pathname, query };
}
