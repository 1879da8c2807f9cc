// The web mode's access token: a random secret printed once in the URL (`/?token=…`), exchanged on the first page
// request for an HttpOnly, SameSite=Strict cookie scoped to this server's port, and required on every request and on
// the WebSocket upgrade. Comparisons are constant-time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PeftLabError } from '../../../src-shared/errors';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;

/** 32 random bytes as 64 hex characters. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The token to use: the given one (checked: it lands in a URL and a cookie) or a fresh random one. */
export function chooseToken(given: string | undefined): string {
  if (given === undefined) return newToken();
  if (!TOKEN_SHAPE.test(given)) {
    throw new PeftLabError('BAD_ARGUMENT', 'the access token must be 16 to 256 characters of A-Z, a-z, 0-9, "_" or "-".');
  }
  return given;
}

export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string') return false;
  const a = Buffer.from(candidate, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One cookie per port, so two servers on the same machine do not overwrite each other's cookie. */
export function cookieName(port: number): string {
  return `peft-lab-token-${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether a request carries the token, as this port's cookie or as a `token` query parameter. */
export function isAuthorised(req: IncomingMessage, query: URLSearchParams, port: number, token: string): boolean {
  return tokenMatches(readCookie(req.headers.cookie, cookieName(port)), token) || tokenMatches(query.get('token'), token);
}
