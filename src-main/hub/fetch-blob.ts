// One file from the Hub's resolve URL into the cache, resumable: bytes go to blobs/<etag>.incomplete (the name
// Python's huggingface_hub uses too), an interrupted transfer continues with a Range request from the partial
// file's size (within this call, and in a later call), and the finished file is checked before it becomes the
// blob: sha256 against the Hub's LFS oid, or the git blob id (sha1 of "blob <size>\0" + bytes) for small files.
// A mismatch deletes the partial file. The library's downloadFile cannot resume, hence fetch here.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { PeftLabError } from '../../src-shared/errors';
import type { HubErrorContext } from './errors';
import { hubError, statusError } from './errors';

export interface BlobTarget {
  url: string;
  incomplete: string;
  blob: string;
  size: number;
  /** sha256 (LFS files) or null: then `gitOid` is checked. */
  sha256: string | null;
  gitOid: string;
}

export interface FetchBlobOptions {
  token?: string;
  signal?: AbortSignal;
  /** Further attempts after a dropped connection, each resuming where the last stopped. */
  retries?: number;
  fetch?: typeof fetch;
  /** Called with every chunk's length as it is written. */
  onBytes?: (n: number) => void;
  onVerify?: () => void;
}

function partialSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

async function serverMessage(res: Response): Promise<string | undefined> {
  const header = res.headers.get('x-error-message');
  if (header) return header;
  try {
    const text = await res.text();
    try {
      const j = JSON.parse(text) as { error?: string };
      return j.error ?? text;
    } catch {
      return text || undefined;
    }
  } catch {
    return undefined;
  }
}

/** One attempt: appends what the server sends to the partial file. Resolves when the body ended. */
async function attempt(t: BlobTarget, o: FetchBlobOptions, ctx: HubErrorContext): Promise<void> {
  let have = partialSize(t.incomplete);
  if (have > t.size) {
    fs.truncateSync(t.incomplete, 0);
    have = 0;
  }
  if (have === t.size) return;
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  if (have > 0) headers.Range = `bytes=${have}-`;
  const res = await (o.fetch ?? fetch)(t.url, { headers, signal: o.signal, redirect: 'follow' });
  if (res.status === 416) {
    await res.body?.cancel();
    fs.truncateSync(t.incomplete, 0); // the partial file is not a prefix of this blob: start over
    return;
  }
  if (!res.ok || !res.body) throw statusError(res.status, ctx, await serverMessage(res));
  if (have > 0 && res.status !== 206) {
    have = 0; // the server ignored the range: the body is the whole file
    fs.truncateSync(t.incomplete, 0);
  }
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      o.onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream), count, fs.createWriteStream(t.incomplete, { flags: have > 0 ? 'a' : 'w' }), { signal: o.signal });
}

async function digest(t: BlobTarget): Promise<{ algo: string; expected: string; got: string }> {
  const hash = createHash(t.sha256 ? 'sha256' : 'sha1');
  if (!t.sha256) hash.update(`blob ${t.size}\0`);
  await pipeline(fs.createReadStream(t.incomplete), hash);
  return { algo: t.sha256 ? 'sha256' : 'git blob id', expected: t.sha256 ?? t.gitOid, got: hash.digest('hex') };
}

/** Downloads (or finishes) one blob into `t.blob`, checked. */
export async function fetchBlob(t: BlobTarget, ctx: HubErrorContext, o: FetchBlobOptions = {}): Promise<void> {
  const retries = o.retries ?? 3;
  for (let tries = 0; ; tries++) {
    try {
      await attempt(t, o, ctx);
    } catch (err) {
      const e = hubError(err, ctx);
      const dropped = e.code === 'HUB_UNAVAILABLE' && e.details?.status === undefined;
      if (dropped && tries < retries && !o.signal?.aborted) continue; // the connection dropped: resume from the partial file
      if (o.signal?.aborted) throw new PeftLabError('CANCELLED', `download of ${ctx.file} cancelled after ${partialSize(t.incomplete)} bytes; run it again to resume`);
      if (dropped) {
        throw new PeftLabError('HUB_UNAVAILABLE', `${e.message}. The download of ${ctx.file} stopped after ${partialSize(t.incomplete)} of ${t.size} bytes; run it again to resume from there`, e.details);
      }
      throw e;
    }
    const have = partialSize(t.incomplete);
    if (have === t.size) break;
    if (tries >= retries) {
      throw new PeftLabError('HUB_UNAVAILABLE', `the Hub sent ${have} of the ${t.size} bytes of ${ctx.file}; run the download again to resume`, { repo: ctx.repo, file: ctx.file });
    }
  }
  o.onVerify?.();
  const d = await digest(t);
  if (d.got !== d.expected) {
    fs.rmSync(t.incomplete, { force: true });
    throw new PeftLabError('CHECKSUM_MISMATCH',
      `${ctx.file} of ${ctx.repo}@${ctx.revision}: ${d.algo} of the downloaded bytes is ${d.got}, but the Hub lists ${d.expected}; the partial file was deleted. Run the download again; if it fails the same way, the mirror (${ctx.endpoint}) serves a damaged file.`,
      { repo: ctx.repo, file: ctx.file, expected: d.expected, got: d.got });
  }
  fs.renameSync(t.incomplete, t.blob);
}
