// A small stand-in for the Hugging Face Hub on 127.0.0.1 (node:http), serving repos built from folders the way the
// Hub does for the routes @huggingface/hub and our resumable fetch call (read from the library's source):
//   GET  /api/models/{repo}/revision/{rev}        model info: sha (commit), gated, private, siblings
//   GET  /api/models/{repo}/tree/{rev}[/{path}]   file list (type, oid, size, lfs {oid, size, pointerSize}), paged
//                                                 with a Link: <…>; rel="next" header like the Hub's cursor
//   POST /api/models/{repo}/paths-info/{rev}      {paths, expand} → entries (+ lastCommit when expand)
//   GET  /{repo}/resolve/{rev}/{file}             small files: 200 with ETag "<git oid>", X-Repo-Commit; LFS
//                                                 files: 302 to /lfs-cdn/{sha256} with X-Linked-Etag, X-Linked-Size,
//                                                 X-Repo-Commit, as the Hub redirects to its CDN
//   GET  /lfs-cdn/{sha256}                        the bytes; Range → 206 with Content-Range (416 when past the end)
// Gated repos answer 401 (X-Error-Code: GatedRepo) on resolve without a token and 403 with a token that has no
// access; private repos answer 401 everywhere. Faults for tests: drop the connection after N bytes of a file (once),
// serve a file with one byte flipped, throttle the bytes. Every request is logged (method, path, Range, token).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface FakeRepo {
  files: Map<string, Buffer>;
  /** Branch/tag → commit; "main" always exists. */
  refs: Map<string, string>;
  gated?: boolean;
  private?: boolean;
  /** Tokens that have access (gated/private repos). */
  tokens?: Set<string>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  range: string | null;
  token: string | null;
}

export interface Faults {
  /** file path → bytes sent before the connection is destroyed, applied to the first full-content request. */
  dropAfter: Map<string, number>;
  /** file paths served with their middle byte flipped (wrong checksum). */
  corrupt: Set<string>;
  /** Pace of content bytes: chunk size and pause between chunks. */
  throttle: { chunk: number; delayMs: number } | null;
}

const LFS = /\.(safetensors|bin|pt|gguf|onnx)$/;

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const gitOid = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

function lfsPointer(b: Buffer): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(b)}\nsize ${b.length}\n`);
}

/** A repo from the files of a folder (top level and sub-folders), committed as one commit on "main". */
export function repoFromFolder(dir: string, extra: Record<string, Buffer | string> = {}): FakeRepo {
  const files = new Map<string, Buffer>();
  const walk = (d: string, prefix: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${prefix}${e.name}/`);
      else files.set(`${prefix}${e.name}`, fs.readFileSync(path.join(d, e.name)));
    }
  };
  walk(dir, '');
  for (const [k, v] of Object.entries(extra)) files.set(k, Buffer.isBuffer(v) ? v : Buffer.from(v));
  const commit = createHash('sha1').update([...files.entries()].map(([k, v]) => `${k}:${sha256(v)}`).sort().join('\n')).digest('hex');
  return { files, refs: new Map([['main', commit]]) };
}

function entry(p: string, b: Buffer): Record<string, unknown> {
  if (!LFS.test(p)) return { type: 'file', oid: gitOid(b), size: b.length, path: p };
  const ptr = lfsPointer(b);
  return { type: 'file', oid: gitOid(ptr), size: b.length, path: p, lfs: { oid: sha256(b), size: b.length, pointerSize: ptr.length } };
}

export class FakeHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly log: LoggedRequest[] = [];
  readonly faults: Faults = { dropAfter: new Map(), corrupt: new Set(), throttle: null };
  /** Entries per page of the tree listing. */
  treePageSize = 1000;
  private server: http.Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(e));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests for a file's bytes (the CDN route for LFS files, resolve for small ones). */
  contentRequests(file: string): LoggedRequest[] {
    const repo = [...this.repos.values()].find((r) => r.files.has(file));
    const b = repo?.files.get(file);
    if (!b) return [];
    const cdn = LFS.test(file) ? `/lfs-cdn/${sha256(b)}` : null;
    return this.log.filter((l) => l.method === 'GET' && (cdn ? l.path === cdn : l.path.includes('/resolve/') && l.path.endsWith(`/${file}`)));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization ?? null;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    this.log.push({ method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), range: req.headers.range ?? null, token });
    const p = url.pathname;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/))) return this.info(res, m[1], decodeURIComponent(m[2]), token);
    if ((m = p.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(\/.*)?$/))) return this.tree(res, m[1], decodeURIComponent(m[2]), token, url, m[3]?.slice(1));
    if ((m = p.match(/^\/api\/models\/([^/]+\/[^/]+)\/paths-info\/([^/]+)$/)) && req.method === 'POST') return this.pathsInfo(req, res, m[1], decodeURIComponent(m[2]), token);
    if ((m = p.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/))) return this.resolve(req, res, m[1], decodeURIComponent(m[2]), decodeURIComponent(m[3]), token);
    if ((m = p.match(/^\/lfs-cdn\/([0-9a-f]{64})$/))) return this.cdn(req, res, m[1]);
    this.json(res, 404, { error: 'Not found' });
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  }

  /** The repo and commit, or an error response already sent (null). `content`: resolve's gating applies. */
  private open(res: http.ServerResponse, name: string, rev: string, token: string | null, content: boolean): { repo: FakeRepo; commit: string } | null {
    const repo = this.repos.get(name);
    const allowed = repo !== undefined && (!repo.tokens || (token !== null && repo.tokens.has(token)));
    if (!repo || (repo.private && !allowed)) {
      this.json(res, 401, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
      return null;
    }
    if (content && repo.gated && !allowed) {
      const msg = token ? `Access to model ${name} is restricted and you are not in the authorized list.` : `Access to model ${name} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      this.json(res, token ? 403 : 401, { error: msg }, { 'X-Error-Code': 'GatedRepo', 'X-Error-Message': msg });
      return null;
    }
    const commit = repo.refs.get(rev) ?? ([...repo.refs.values()].includes(rev) ? rev : null);
    if (!commit) {
      this.json(res, 404, { error: `Invalid rev id: ${rev}` }, { 'X-Error-Code': 'RevisionNotFound' });
      return null;
    }
    return { repo, commit };
  }

  private info(res: http.ServerResponse, name: string, rev: string, token: string | null): void {
    const o = this.open(res, name, rev === 'HEAD' ? 'main' : rev, token, false);
    if (!o) return;
    this.json(res, 200, {
      _id: createHash('md5').update(name).digest('hex').slice(0, 24), id: name, sha: o.commit, private: Boolean(o.repo.private),
      gated: o.repo.gated ? 'manual' : false, pipeline_tag: 'text-generation', downloads: 0, likes: 0, lastModified: '2026-11-01T00:00:00.000Z',
      siblings: [...o.repo.files.keys()].map((rfilename) => ({ rfilename })),
    });
  }

  private tree(res: http.ServerResponse, name: string, rev: string, token: string | null, url: URL, sub?: string): void {
    const o = this.open(res, name, rev, token, false);
    if (!o) return;
    const recursive = url.searchParams.get('recursive') === 'true';
    const prefix = sub ? `${sub.replace(/\/$/, '')}/` : '';
    const items: Record<string, unknown>[] = [];
    const dirs = new Set<string>();
    for (const [p, b] of [...o.repo.files.entries()].sort(([a], [b2]) => a.localeCompare(b2))) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      if (!recursive && rest.includes('/')) {
        const d = prefix + rest.split('/')[0];
        if (!dirs.has(d)) items.push({ type: 'directory', oid: gitOid(Buffer.from(d)), size: 0, path: d });
        dirs.add(d);
        continue;
      }
      items.push(entry(p, b));
    }
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const page = items.slice(cursor, cursor + this.treePageSize);
    const headers: Record<string, string> = {};
    if (cursor + this.treePageSize < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('cursor', String(cursor + this.treePageSize));
      headers.Link = `<${this.url}${next.pathname}${next.search}>; rel="next"`;
    }
    this.json(res, 200, page, headers);
  }

  private async pathsInfo(req: http.IncomingMessage, res: http.ServerResponse, name: string, rev: string, token: string | null): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { paths: string[]; expand?: boolean };
    const o = this.open(res, name, rev, token, false);
    if (!o) return;
    const out = body.paths.filter((p) => o.repo.files.has(p)).map((p) => ({
      ...entry(p, o.repo.files.get(p)!),
      ...(body.expand ? { lastCommit: { id: o.commit, title: 'Upload', date: '2026-11-01T00:00:00.000Z' }, securityFileStatus: { status: 'safe' } } : {}),
    }));
    this.json(res, 200, out);
  }

  private async resolve(req: http.IncomingMessage, res: http.ServerResponse, name: string, rev: string, file: string, token: string | null): Promise<void> {
    const o = this.open(res, name, rev, token, true);
    if (!o) return;
    const b = o.repo.files.get(file);
    if (!b) {
      this.json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
      return;
    }
    if (LFS.test(file)) {
      const sha = sha256(b);
      res.writeHead(302, {
        Location: `/lfs-cdn/${sha}`, ETag: `"${gitOid(lfsPointer(b))}"`, 'X-Linked-Etag': `"${sha}"`, 'X-Linked-Size': String(b.length),
        'X-Repo-Commit': o.commit, 'Content-Length': '0',
      }).end();
      return;
    }
    await this.send(req, res, file, b, { ETag: `"${gitOid(b)}"`, 'X-Repo-Commit': o.commit });
  }

  private async cdn(req: http.IncomingMessage, res: http.ServerResponse, sha: string): Promise<void> {
    for (const repo of this.repos.values()) {
      for (const [file, b] of repo.files) if (LFS.test(file) && sha256(b) === sha) return this.send(req, res, file, b, { ETag: `"${sha}"` });
    }
    res.writeHead(404).end();
  }

  /** The bytes of `file` (or the asked range), with the faults that apply. */
  private async send(req: http.IncomingMessage, res: http.ServerResponse, file: string, original: Buffer, headers: Record<string, string>): Promise<void> {
    let b = original;
    if (this.faults.corrupt.has(file)) {
      b = Buffer.from(original);
      b[b.length >> 1] ^= 0xff;
    }
    let start = 0;
    const range = req.headers.range;
    const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    let end = b.length - 1;
    if (m) {
      start = Number(m[1]);
      if (m[2]) end = Math.min(end, Number(m[2]));
      if (start >= b.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${b.length}` }).end();
        return;
      }
    }
    const body = b.subarray(start, end + 1);
    res.writeHead(m ? 206 : 200, {
      ...headers, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length),
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${b.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const drop = start === 0 ? this.faults.dropAfter.get(file) : undefined;
    if (drop !== undefined) this.faults.dropAfter.delete(file);
    const limit = drop ?? body.length;
    const chunk = this.faults.throttle?.chunk ?? 64 * 1024;
    for (let off = 0; off < limit; off += chunk) {
      const piece = body.subarray(off, Math.min(limit, off + chunk));
      if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
      if (this.faults.throttle) await new Promise((r) => setTimeout(r, this.faults.throttle!.delayMs));
    }
    if (drop !== undefined) {
      await new Promise((r) => setTimeout(r, 20)); // let the bytes reach the client, then cut the connection
      res.socket?.destroy();
      return;
    }
    res.end();
  }
}
