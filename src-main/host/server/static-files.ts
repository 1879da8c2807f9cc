// Serving the built renderer (out/renderer) read-only: `/` is index.html, every other path maps to a file below the
// static folder. Traversal is refused before touching the disk (`..`, `.` and dot-file segments, encoded or not,
// backslashes, NUL) and again after resolving symlinks, so nothing outside the folder is ever read.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { contentTypeOf } from './content-types';
import { sendText, setSecurityHeaders } from './security-headers';

export type StaticTarget =
  | { ok: true; file: string; relative: string }
  | { ok: false; status: 400 | 403; reason: string };

/** Maps a raw URL path to a file below `root`, or says why not. Does not touch the disk. */
export function resolveStaticPath(root: string, rawPathname: string): StaticTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPathname);
  } catch {
    return { ok: false, status: 400, reason: 'malformed path encoding' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) {
    return { ok: false, status: 400, reason: 'malformed path' };
  }
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 403, reason: 'path outside the app refused' };
  const relative = decoded === '/' ? 'index.html' : segments.join('/');
  const base = resolve(root);
  const file = resolve(base, relative);
  if (!file.startsWith(base + sep)) return { ok: false, status: 403, reason: 'path outside the app refused' };
  return { ok: true, file, relative };
}

async function regularFileInside(root: string, file: string): Promise<{ size: number } | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!realFile.startsWith(realRoot + sep)) return null;
    const s = await stat(realFile);
    return s.isFile() ? { size: s.size } : null;
  } catch {
    return null;
  }
}

/** A build asset named by its content hash (Vite's `assets/[name]-[hash].[ext]`): its bytes never change. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

/**
 * index.html is never stored (it names the current assets); a content-hashed asset is kept for a year without
 * asking again, so a reload runs the cached script (and Chromium's compiled code cache) instead of fetching and
 * compiling it anew; anything else is asked for every time.
 */
export function cacheControl(relative: string): string {
  if (relative === 'index.html') return 'no-store';
  return HASHED_ASSET.test(relative) ? 'private, max-age=31536000, immutable' : 'no-cache';
}

/** Answers a GET/HEAD for `rawPathname` from `root`. */
export async function serveStatic(res: ServerResponse, root: string, rawPathname: string): Promise<void> {
  const target = resolveStaticPath(root, rawPathname);
  if (!target.ok) return sendText(res, target.status, target.reason);
  const found = await regularFileInside(root, target.file);
  if (!found) {
    if (target.relative === 'index.html') {
      return sendText(res, 503, `The renderer is not built (no ${join(root, 'index.html')}): run \`npm run build\` first.`);
    }
    return sendText(res, 404, 'not found');
  }
  setSecurityHeaders(res);
  res.writeHead(200, {
    'Content-Type': contentTypeOf(target.file),
    'Content-Length': found.size,
    'Cache-Control': cacheControl(target.relative),
  });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(target.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
