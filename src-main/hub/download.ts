// Downloading a model from the Hugging Face Hub into the shared cache. The library (@huggingface/hub) resolves the
// revision to a commit (modelInfo) and lists the repo (listFiles: sizes, LFS sha256); selectRunFiles keeps what a
// run needs; config.json comes first, so an unsupported architecture is refused before any weights are fetched;
// every other file is taken from the cache when its blob is there (also when Python downloaded it) or fetched
// resumably and checked (fetch-blob.ts). The result is the snapshot folder, a normal Hugging Face model folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles, modelInfo } from '@huggingface/hub';
import type { HubPlan, HubProgress, HubWeightsFormat } from '../../src-shared/domain/hub';
import { PeftLabError } from '../../src-shared/errors';
import { parseModelConfig } from '../engine/model/config';
import { architectureFor } from '../engine/model/architectures/registry';
import { storedBaseOptions } from '../engine/quant/bnb-config';
import { RepoCache } from './cache';
import type { HubErrorContext } from './errors';
import { hubError } from './errors';
import { fetchBlob } from './fetch-blob';
import { hubCacheDir, hubEndpoint } from './locations';
import { ProgressMeter } from './progress';
import type { RepoEntry } from './select';
import { blobEtag, CONFIG_FILE, fileSize, selectRunFiles } from './select';

export interface HubRequest {
  repo: string;
  revision?: string;
  token?: string;
  endpoint?: string;
  cacheDir?: string;
  signal?: AbortSignal;
  /** For tests: the fetch every request goes through. */
  fetch?: typeof fetch;
}

interface Resolved {
  plan: HubPlan;
  entries: Map<string, RepoEntry>;
  cache: RepoCache;
  ctx: HubErrorContext;
  req: HubRequest;
}

function resolveUrl(endpoint: string, repo: string, commit: string, file: string): string {
  return `${endpoint}/${repo}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** Puts one selected file into the cache (fetching it unless its blob is there) and links it into the snapshot. */
async function ensureFile(r: Resolved, e: RepoEntry, meter?: ProgressMeter): Promise<string> {
  const etag = blobEtag(e);
  const size = fileSize(e);
  const { commit } = r.plan;
  if (r.cache.blobSize(etag) === size) {
    meter?.skip(size, false);
    return r.cache.link(commit, e.path, etag);
  }
  const partial = r.cache.partialSize(etag);
  if (partial > 0 && partial <= size) meter?.skip(partial, true);
  fs.mkdirSync(path.dirname(r.cache.blobPath(etag)), { recursive: true });
  meter?.phase('downloading', e.path);
  await fetchBlob(
    { url: resolveUrl(r.plan.endpoint, r.req.repo, commit, e.path), incomplete: r.cache.incompletePath(etag), blob: r.cache.blobPath(etag), size, sha256: e.lfs?.oid ?? null, gitOid: e.oid },
    { ...r.ctx, file: e.path },
    { token: r.req.token, signal: r.req.signal, fetch: r.req.fetch, onBytes: (n) => meter?.add(n), onVerify: () => meter?.phase('verifying', e.path) },
  );
  return r.cache.link(commit, e.path, etag);
}

/** What config.json says matters before a download: a supported architecture, and how the weights are stored. */
function weightsFormat(file: string, repo: string): HubWeightsFormat {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PeftLabError('CONFIG_INVALID', `config.json of ${repo} is not valid JSON (${(e as Error).message})`);
  }
  const label = `config.json of ${repo}`;
  const config = parseModelConfig(json, label);
  architectureFor(config);
  const stored = storedBaseOptions(config.raw, label);
  return stored === null ? 'safetensors' : stored.bits === 4 ? 'bnb-4bit' : 'bnb-8bit';
}

/**
 * Without the Hub (unreachable, or $HF_HUB_OFFLINE set): the snapshot refs/<revision> points at, when the cache
 * holds everything a run needs there (as Python's huggingface_hub falls back to its cache). Null when it does not.
 */
function offlineResolve(req: HubRequest, ctx: HubErrorContext, cacheDir: string): Resolved | null {
  const cache = new RepoCache(cacheDir, req.repo);
  const commit = cache.readRef(ctx.revision);
  if (!commit) return null;
  const dir = cache.snapshotDir(commit);
  const listed: RepoEntry[] = [];
  try {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      const st = fs.statSync(full);
      if (!st.isFile()) continue;
      const etag = fs.lstatSync(full).isSymbolicLink() ? path.basename(fs.readlinkSync(full)) : '';
      listed.push({ path: name, size: st.size, oid: etag, lfs: /^[0-9a-f]{64}$/.test(etag) ? { oid: etag, size: st.size } : undefined });
    }
    const { files, skipped } = selectRunFiles(req.repo, listed);
    const plan: HubPlan = {
      repo: req.repo, revision: ctx.revision, commit, endpoint: ctx.endpoint, cacheDir, gated: false, offline: true,
      format: weightsFormat(path.join(dir, CONFIG_FILE), req.repo), skipped,
      files: files.map((e) => ({ path: e.path, size: e.size, sha256: e.lfs?.oid ?? null, etag: e.oid, cached: true })),
      totalBytes: files.reduce((a, e) => a + e.size, 0),
      cachedBytes: files.reduce((a, e) => a + e.size, 0),
    };
    return { plan, entries: new Map(files.map((e) => [e.path, e])), cache, ctx, req };
  } catch {
    return null; // an incomplete snapshot: the Hub's own error says more
  }
}

async function resolve(req: HubRequest): Promise<Resolved> {
  const endpoint = hubEndpoint(req.endpoint);
  const cacheDir = hubCacheDir(req.cacheDir);
  const revision = req.revision ?? 'main';
  const ctx: HubErrorContext = { repo: req.repo, revision, endpoint, hadToken: Boolean(req.token) };
  if (process.env.HF_HUB_OFFLINE === '1' || process.env.HF_HUB_OFFLINE === 'true') {
    const cached = offlineResolve(req, ctx, cacheDir);
    if (cached) return cached;
    throw new PeftLabError('HUB_UNAVAILABLE', `HF_HUB_OFFLINE is set and the cache ${cacheDir} has no complete snapshot of ${req.repo}@${revision}; unset HF_HUB_OFFLINE to download it`);
  }
  const f: typeof fetch = (input, init) => (req.fetch ?? fetch)(input, { ...init, signal: req.signal });
  const auth = { hubUrl: endpoint, accessToken: req.token, fetch: f };
  let commit: string;
  let gated: HubPlan['gated'];
  const listed: RepoEntry[] = [];
  const folders: string[] = [];
  try {
    const info = await modelInfo({ name: req.repo, revision, additionalFields: ['sha'], ...auth });
    commit = info.sha;
    gated = info.gated ?? false;
    for await (const e of listFiles({ repo: { type: 'model', name: req.repo }, revision: commit, ...auth })) {
      if (e.type === 'file') listed.push({ path: e.path, size: e.size, oid: e.oid ?? '', lfs: e.lfs ? { oid: e.lfs.oid, size: e.lfs.size } : undefined });
      else folders.push(`${e.path}/`);
    }
  } catch (err) {
    const e = hubError(err, ctx);
    const unreachable = e.code === 'HUB_UNAVAILABLE' && e.details?.status === undefined;
    const cached = unreachable ? offlineResolve(req, ctx, cacheDir) : null;
    if (cached) return cached;
    throw e;
  }
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new PeftLabError('HUB_UNAVAILABLE', `${endpoint} gave no commit for ${req.repo}@${revision}`);
  const { files, skipped } = selectRunFiles(req.repo, listed);
  const cache = new RepoCache(cacheDir, req.repo);
  const entries = new Map(files.map((e) => [e.path, e]));
  const plan: HubPlan = {
    repo: req.repo, revision, commit, endpoint, cacheDir, gated, offline: false, format: 'safetensors', skipped: [...skipped, ...folders].sort(),
    files: files.map((e) => ({ path: e.path, size: fileSize(e), sha256: e.lfs?.oid ?? null, etag: blobEtag(e), cached: cache.blobSize(blobEtag(e)) === fileSize(e) })),
    totalBytes: files.reduce((a, e) => a + fileSize(e), 0),
    cachedBytes: 0,
  };
  plan.cachedBytes = plan.files.filter((x) => x.cached).reduce((a, x) => a + x.size, 0);
  const r: Resolved = { plan, entries, cache, ctx, req };
  // config.json first (a few kB): refuse a model the engine cannot run before fetching gigabytes.
  const configPath = await ensureFile(r, entries.get(CONFIG_FILE)!);
  plan.format = weightsFormat(configPath, req.repo);
  return r;
}

/** Lists what a download of `repo@revision` would fetch, with sizes and what the cache already has. */
export async function planDownload(req: HubRequest): Promise<HubPlan> {
  return (await resolve(req)).plan;
}

export interface DownloadResult {
  plan: HubPlan;
  /** snapshots/<commit>: the model folder to register. */
  dir: string;
}

/** Downloads every file a run needs into the cache; progress as it goes. Resumes partial files of earlier attempts. */
export async function downloadModel(req: HubRequest, onProgress: (p: HubProgress) => void = () => undefined): Promise<DownloadResult> {
  const r = await resolve(req);
  const { plan } = r;
  const meter = new ProgressMeter({ repo: plan.repo, revision: plan.revision, files: plan.files.length, bytesTotal: plan.totalBytes }, onProgress);
  try {
    for (const f of plan.files) {
      if (plan.offline) meter.skip(f.size, false); // already linked in the snapshot
      else await ensureFile(r, r.entries.get(f.path)!, meter);
      meter.fileDone();
    }
  } catch (e) {
    meter.phase('failed', meter.state.file, (e as Error).message);
    throw e;
  }
  r.cache.writeRef(plan.revision, plan.commit);
  meter.phase('done', null);
  return { plan, dir: r.cache.snapshotDir(plan.commit) };
}
