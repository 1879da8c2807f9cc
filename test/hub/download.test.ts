// Downloading from a fake Hub on 127.0.0.1: only the files a run needs, the Python cache layout (blobs, relative
// snapshot symlinks, refs), resume after a dropped connection (the Range header the server saw), a wrong checksum
// rejected with the partial file deleted, a gated repo that asks for a token and works with one, reuse of files
// Python left in the cache, and an unsupported architecture refused before any weights are fetched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileDownloadInfo, listFiles, pathsInfo } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubProgress } from '../../src-shared/domain/hub';
import { downloadModel, planDownload } from '../../src-main/hub/download';
import { gitOid, sha256 } from './fake-hub';
import type { HubFixture } from './hub-fixture';
import { OTHER_TOKEN, rejection, startHubFixture, TOKEN } from './hub-fixture';

let F: HubFixture;
beforeAll(async () => {
  F = await startHubFixture();
});
afterAll(async () => F?.cleanup());

const RUN_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];

function file(repo: string, p: string): Buffer {
  return F.hub.repos.get(repo)!.files.get(p)!;
}

describe('the fake Hub', () => {
  it('answers the library\'s routes as the Hub does: paged tree, paths-info, resolve headers', async () => {
    const commit = F.hub.repos.get('tiny/llama')!.refs.get('main')!;
    const st = file('tiny/llama', 'model.safetensors');
    F.hub.treePageSize = 2;
    try {
      const all: string[] = [];
      const pages = F.hub.log.length;
      for await (const e of listFiles({ repo: 'tiny/llama', hubUrl: F.hub.url })) all.push(e.path);
      expect(all.sort()).toEqual(['.gitattributes', 'README.md', 'config.json', 'model.safetensors', 'onnx', 'pytorch_model.bin', 'tokenizer.json', 'tokenizer_config.json'].sort());
      expect(F.hub.log.slice(pages).filter((l) => l.path.includes('/tree/')).length).toBe(4); // 8 entries, 2 a page, Link: next
    } finally {
      F.hub.treePageSize = 1000;
    }
    const [info] = await pathsInfo({ repo: 'tiny/llama', paths: ['model.safetensors'], expand: true, hubUrl: F.hub.url });
    expect(info).toMatchObject({ path: 'model.safetensors', size: st.length, lfs: { oid: sha256(st), size: st.length }, lastCommit: { id: commit } });
    const dl = await fileDownloadInfo({ repo: 'tiny/llama', path: 'model.safetensors', hubUrl: F.hub.url });
    expect(dl).toMatchObject({ size: st.length, etag: `"${sha256(st)}"` });
    const small = await fileDownloadInfo({ repo: 'tiny/llama', path: 'config.json', hubUrl: F.hub.url });
    expect(small).toMatchObject({ size: file('tiny/llama', 'config.json').length, etag: `"${gitOid(file('tiny/llama', 'config.json'))}"` });
  });
});

describe('plan', () => {
  it('lists only what a run needs, with sizes and sha256, before anything big is fetched', async () => {
    const cacheDir = F.cache();
    const fetchedBefore = F.hub.contentRequests('model.safetensors').length;
    const plan = await planDownload({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir });
    expect(plan.files.map((f) => f.path).sort()).toEqual(RUN_FILES.sort());
    expect(plan.skipped).toEqual(['.gitattributes', 'README.md', 'onnx/', 'pytorch_model.bin']);
    const st = plan.files.find((f) => f.path === 'model.safetensors')!;
    expect(st.size).toBe(file('tiny/llama', 'model.safetensors').length);
    expect(st.sha256).toBe(sha256(file('tiny/llama', 'model.safetensors')));
    expect(plan.files.find((f) => f.path === 'config.json')!.sha256).toBeNull();
    expect(plan.totalBytes).toBe(RUN_FILES.reduce((a, f) => a + file('tiny/llama', f).length, 0));
    expect(plan.commit).toBe(F.hub.repos.get('tiny/llama')!.refs.get('main'));
    expect(plan.format).toBe('safetensors');
    expect(plan.gated).toBe(false);
    expect(F.hub.contentRequests('model.safetensors')).toHaveLength(fetchedBefore);
  });

  it('takes every shard and the index of a sharded checkpoint', async () => {
    const plan = await planDownload({ repo: 'tiny/sharded', endpoint: F.hub.url, cacheDir: F.cache() });
    expect(plan.files.map((f) => f.path).filter((p) => p.includes('safetensors')).sort()).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
  });

  it('refuses a repo with only .bin weights, naming them', async () => {
    const e = await rejection(planDownload({ repo: 'tiny/bin-only', endpoint: F.hub.url, cacheDir: F.cache() }));
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toContain('no safetensors weights');
    expect(e.message).toContain('pytorch_model.bin');
  });

  it('refuses an unsupported architecture after config.json, before any weights', async () => {
    const before = F.hub.contentRequests('model.safetensors').length;
    const e = await rejection(downloadModel({ repo: 'tiny/gpt2', endpoint: F.hub.url, cacheDir: F.cache() }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('config.json of tiny/gpt2: field "model_type" is "gpt2", which PEFT Lab does not support. Supported model types: llama, mistral, qwen2');
    expect(F.hub.contentRequests('model.safetensors').length).toBe(before);
  });

  it('names a missing repo and a missing revision', async () => {
    expect((await rejection(planDownload({ repo: 'tiny/nope', endpoint: F.hub.url, cacheDir: F.cache() }))).code).toBe('HUB_AUTH');
    const e = await rejection(planDownload({ repo: 'tiny/llama', revision: 'v9', endpoint: F.hub.url, cacheDir: F.cache() }));
    expect(e.code).toBe('HUB_UNAVAILABLE');
    expect(e.message).toContain('tiny/llama@v9 was not found');
  });

  it('says the Hub cannot be reached, naming the endpoint', async () => {
    const e = await rejection(planDownload({ repo: 'tiny/llama', endpoint: 'http://127.0.0.1:9', cacheDir: F.cache() }));
    expect(e.code).toBe('HUB_UNAVAILABLE');
    expect(e.message).toContain('could not reach the Hub at http://127.0.0.1:9');
  });
});

describe('download', () => {
  it('fills the cache in Python\'s layout and reports progress to the last byte', async () => {
    const cacheDir = F.cache();
    const events: HubProgress[] = [];
    const { plan, dir } = await downloadModel({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir }, (p) => events.push(p));
    const root = path.join(cacheDir, 'models--tiny--llama');
    expect(dir).toBe(path.join(root, 'snapshots', plan.commit));
    expect(fs.readFileSync(path.join(root, 'refs', 'main'), 'utf8')).toBe(plan.commit);
    for (const f of RUN_FILES) {
      const b = file('tiny/llama', f);
      const etag = f.endsWith('.safetensors') ? sha256(b) : gitOid(b);
      expect(fs.readlinkSync(path.join(dir, f))).toBe(`../../blobs/${etag}`);
      expect(fs.readFileSync(path.join(dir, f)).equals(b)).toBe(true);
    }
    expect(fs.readdirSync(path.join(root, 'blobs')).sort()).toHaveLength(RUN_FILES.length);
    expect(fs.existsSync(path.join(dir, 'pytorch_model.bin'))).toBe(false);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', bytesDone: plan.totalBytes, bytesTotal: plan.totalBytes, filesDone: RUN_FILES.length, etaSeconds: 0 });
    const done = events.map((e) => e.bytesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('resumes a file after the connection drops, asking only for the missing bytes', async () => {
    const cacheDir = F.cache();
    const b = file('tiny/sharded', 'model-00002-of-00002.safetensors');
    const cut = 10_000;
    F.hub.faults.dropAfter.set('model-00002-of-00002.safetensors', cut);
    const events: HubProgress[] = [];
    const { dir } = await downloadModel({ repo: 'tiny/sharded', endpoint: F.hub.url, cacheDir }, (p) => events.push(p));
    const ranges = F.hub.contentRequests('model-00002-of-00002.safetensors').map((r) => r.range);
    expect(ranges).toEqual([null, `bytes=${cut}-`]);
    expect(fs.readFileSync(path.join(dir, 'model-00002-of-00002.safetensors')).equals(b)).toBe(true);
    expect(events.at(-1)!.bytesDone).toBe(events.at(-1)!.bytesTotal);
  });

  it('continues the partial file an earlier (interrupted) download left', async () => {
    const cacheDir = F.cache();
    const b = file('tiny/llama', 'model.safetensors');
    const blobs = path.join(cacheDir, 'models--tiny--llama', 'blobs');
    fs.mkdirSync(blobs, { recursive: true });
    fs.writeFileSync(path.join(blobs, `${sha256(b)}.incomplete`), b.subarray(0, 4321));
    const n = F.hub.contentRequests('model.safetensors').length;
    const events: HubProgress[] = [];
    const { dir } = await downloadModel({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir }, (p) => events.push(p));
    expect(F.hub.contentRequests('model.safetensors').slice(n).map((r) => r.range)).toEqual(['bytes=4321-']);
    expect(fs.readFileSync(path.join(dir, 'model.safetensors')).equals(b)).toBe(true);
    expect(events.at(-1)!.resumedBytes).toBe(4321);
  });

  it('rejects a file whose sha256 is not the Hub\'s and deletes it', async () => {
    const cacheDir = F.cache();
    F.hub.faults.corrupt.add('model.safetensors');
    try {
      const e = await rejection(downloadModel({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir }));
      const sha = sha256(file('tiny/llama', 'model.safetensors'));
      expect(e.code).toBe('CHECKSUM_MISMATCH');
      expect(e.message).toContain(`model.safetensors of tiny/llama@main: sha256 of the downloaded bytes is`);
      expect(e.message).toContain(`but the Hub lists ${sha}; the partial file was deleted`);
      const blobs = fs.readdirSync(path.join(cacheDir, 'models--tiny--llama', 'blobs'));
      expect(blobs.filter((x) => x.startsWith(sha))).toEqual([]);
    } finally {
      F.hub.faults.corrupt.clear();
    }
  });

  it('checks small files against their git blob id too', async () => {
    const cacheDir = F.cache();
    F.hub.faults.corrupt.add('tokenizer.json');
    try {
      const e = await rejection(downloadModel({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir }));
      expect(e.code).toBe('CHECKSUM_MISMATCH');
      expect(e.message).toContain(`git blob id of the downloaded bytes`);
    } finally {
      F.hub.faults.corrupt.clear();
    }
  });

  it('asks for a token for a gated repo (401), refuses a token without access (403), and works with one', async () => {
    const cacheDir = F.cache();
    const e = await rejection(downloadModel({ repo: 'tiny/gated', endpoint: F.hub.url, cacheDir }));
    expect(e.code).toBe('HUB_AUTH');
    expect(e.details).toMatchObject({ needsToken: true, status: 401 });
    expect(e.message).toContain('config.json of tiny/gated@main needs a token: the model is gated or private');
    expect(e.message).toContain('--token');
    const refused = await rejection(downloadModel({ repo: 'tiny/gated', endpoint: F.hub.url, cacheDir, token: OTHER_TOKEN }));
    expect(refused.code).toBe('HUB_AUTH');
    expect(refused.message).toContain('the token was refused');
    const { plan, dir } = await downloadModel({ repo: 'tiny/gated', endpoint: F.hub.url, cacheDir, token: TOKEN });
    expect(plan.gated).toBe('manual');
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(true);
    expect(F.hub.log.filter((l) => l.path.startsWith('/tiny/gated/resolve/') && l.token === TOKEN).length).toBeGreaterThan(0);
  });
});

describe('sharing the cache with Python', () => {
  it('reuses blobs and snapshots Python left, fetching nothing again', async () => {
    const cacheDir = F.cache();
    const repo = F.hub.repos.get('tiny/llama')!;
    const commit = repo.refs.get('main')!;
    // What huggingface_hub.snapshot_download leaves: blobs named by etag, relative symlinks, refs/main.
    const root = path.join(cacheDir, 'models--tiny--llama');
    for (const f of RUN_FILES) {
      const b = repo.files.get(f)!;
      const etag = f.endsWith('.safetensors') ? sha256(b) : gitOid(b);
      fs.mkdirSync(path.join(root, 'blobs'), { recursive: true });
      fs.writeFileSync(path.join(root, 'blobs', etag), b);
      fs.mkdirSync(path.join(root, 'snapshots', commit), { recursive: true });
      fs.symlinkSync(`../../blobs/${etag}`, path.join(root, 'snapshots', commit, f));
    }
    fs.mkdirSync(path.join(root, 'refs'));
    fs.writeFileSync(path.join(root, 'refs', 'main'), commit);
    const before = F.hub.log.length;
    const plan = await planDownload({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir });
    expect(plan.cachedBytes).toBe(plan.totalBytes);
    const { dir } = await downloadModel({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir });
    expect(dir).toBe(path.join(root, 'snapshots', commit));
    const fetched = F.hub.log.slice(before).filter((l) => l.path.includes('/resolve/') || l.path.startsWith('/lfs-cdn/'));
    expect(fetched).toEqual([]);
  });

  it('uses the cached snapshot of a revision when the Hub cannot be reached, and says so with HF_HUB_OFFLINE', async () => {
    const cacheDir = F.cache();
    const online = await downloadModel({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir });
    const before = F.hub.log.length;
    const off = await downloadModel({ repo: 'tiny/llama', endpoint: 'http://127.0.0.1:9', cacheDir });
    expect(off.dir).toBe(online.dir);
    expect(off.plan).toMatchObject({ offline: true, commit: online.plan.commit, totalBytes: online.plan.totalBytes, cachedBytes: online.plan.totalBytes });
    expect(off.plan.files.find((f) => f.path === 'model.safetensors')!.sha256).toBe(sha256(file('tiny/llama', 'model.safetensors')));
    expect(F.hub.log.length).toBe(before);
    process.env.HF_HUB_OFFLINE = '1';
    try {
      const e = await rejection(planDownload({ repo: 'tiny/sharded', endpoint: F.hub.url, cacheDir }));
      expect(e.code).toBe('HUB_UNAVAILABLE');
      expect(e.message).toContain('HF_HUB_OFFLINE is set and the cache');
      expect((await planDownload({ repo: 'tiny/llama', endpoint: F.hub.url, cacheDir })).offline).toBe(true);
    } finally {
      delete process.env.HF_HUB_OFFLINE;
    }
  });

  it('honours HF_HUB_CACHE and HF_ENDPOINT when no folder or endpoint is given', async () => {
    const cacheDir = F.cache();
    const saved = { c: process.env.HF_HUB_CACHE, e: process.env.HF_ENDPOINT };
    process.env.HF_HUB_CACHE = cacheDir;
    process.env.HF_ENDPOINT = F.hub.url;
    try {
      const { dir } = await downloadModel({ repo: 'tiny/llama' });
      expect(dir.startsWith(path.join(cacheDir, 'models--tiny--llama', 'snapshots'))).toBe(true);
    } finally {
      for (const [k, v] of [['HF_HUB_CACHE', saved.c], ['HF_ENDPOINT', saved.e]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
