// The model library through the host's API (in-process host, typed client) against the fake Hub: download and
// register with progress events, the library's facts (quantisation, disk use, source, chat template), a folder that
// changed or moved (fingerprint), refresh, relocate, remove, and the token kept for the session.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseSpecSchema, resolveBaseOptions } from '../../src-shared/domain/base-spec';
import type { HubProgress } from '../../src-shared/domain/hub';
import { quantizeModelFolder } from '../../src-main/engine/quant/quantize-model';
import { startHost } from '../host/helpers';
import { repoFromFolder } from './fake-hub';
import type { HubFixture } from './hub-fixture';
import { rejection, startHubFixture, TOKEN } from './hub-fixture';


let F: HubFixture;
let H: Awaited<ReturnType<typeof startHost>>;
const saved = { endpoint: process.env.HF_ENDPOINT, cache: process.env.HF_HUB_CACHE, token: process.env.HF_TOKEN, path: process.env.HF_TOKEN_PATH };

beforeAll(async () => {
  F = await startHubFixture();
  process.env.HF_ENDPOINT = F.hub.url;
  process.env.HF_HUB_CACHE = F.cache();
  delete process.env.HF_TOKEN;
  process.env.HF_TOKEN_PATH = path.join(F.root, 'no-token-file');
  const q = path.join(F.root, 'tiny-4bit');
  await quantizeModelFolder(F.modelDir, q, resolveBaseOptions(BaseSpecSchema.parse({ bits: 4 })));
  F.hub.repos.set('tiny/llama-4bit', repoFromFolder(q));
  H = await startHost(path.join(F.root, 'data'));
});
afterAll(async () => {
  await H?.close();
  await F?.cleanup();
  for (const [k, v] of Object.entries({ HF_ENDPOINT: saved.endpoint, HF_HUB_CACHE: saved.cache, HF_TOKEN: saved.token, HF_TOKEN_PATH: saved.path })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('download and register', () => {
  it('shows the size first, then downloads with progress (events and the request\'s own) and registers the model', async () => {
    const plan = await H.client.request('hub/plan', { repo: 'tiny/llama' });
    const files = F.hub.repos.get('tiny/llama')!.files;
    expect(plan.totalBytes).toBe(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].reduce((a, f) => a + files.get(f)!.length, 0));
    const events: HubProgress[] = [];
    const own: HubProgress[] = [];
    const off = H.client.on('hub/progress', (p) => events.push(p));
    const rec = await H.client.request('hub/download', { repo: 'tiny/llama' }, { onProgress: (p) => own.push(p) });
    off();
    expect(rec).toMatchObject({
      name: 'tiny/llama', kind: 'weights', modelType: 'llama', quantization: 'none', dtype: 'F32', hasTokenizer: true, hasChatTemplate: true,
      diskBytes: plan.totalBytes, changed: null, source: { repo: 'tiny/llama', revision: 'main', commit: plan.commit, endpoint: F.hub.url },
    });
    expect(rec.path).toBe(path.join(process.env.HF_HUB_CACHE!, 'models--tiny--llama', 'snapshots', plan.commit));
    expect(events.map((e) => e.phase)).toContain('downloading');
    expect(events.at(-1)).toMatchObject({ phase: 'done', bytesDone: plan.totalBytes });
    expect(own.at(-1)).toMatchObject({ phase: 'done' });
    // A second download of the same revision registers nothing new and fetches nothing.
    const n = F.hub.log.length;
    expect((await H.client.request('hub/download', { repo: 'tiny/llama' })).id).toBe(rec.id);
    expect(F.hub.log.slice(n).filter((l) => l.path.startsWith('/lfs-cdn/') || l.path.includes('/resolve/')).map((l) => l.path)).toEqual([]);
  });

  it('cancels a download, keeping the partial file, and the next one resumes from it', async () => {
    F.hub.faults.throttle = { chunk: 2048, delayMs: 30 }; // ~1 s for the shard: time to cancel part-way
    const controller = new AbortController();
    const shard = 'model-00001-of-00002.safetensors';
    let start: number | undefined;
    try {
      const first = H.client.request('hub/download', { repo: 'tiny/sharded' }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file !== shard || p.phase !== 'downloading') return;
          start ??= p.bytesDone;
          if (p.bytesDone - start > 8_000) controller.abort(); // part-way through this shard
        },
      });
      const e = await rejection(first);
      expect(e.code).toBe('CANCELLED');
      expect(e.message).toContain('run it again to resume');
    } finally {
      F.hub.faults.throttle = null;
    }
    const n = F.hub.contentRequests(shard).length;
    const rec = await H.client.request('hub/download', { repo: 'tiny/sharded' });
    const resumed = F.hub.contentRequests(shard).slice(n).map((r) => r.range);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(fs.readFileSync(path.join(rec.path, shard)).equals(F.hub.repos.get('tiny/sharded')!.files.get(shard)!)).toBe(true);
  });

  it('recognises a pre-quantised bitsandbytes checkpoint', async () => {
    const plan = await H.client.request('hub/plan', { repo: 'tiny/llama-4bit' });
    expect(plan.format).toBe('bnb-4bit');
    const rec = await H.client.request('hub/download', { repo: 'tiny/llama-4bit' });
    expect(rec.quantization).toBe('bnb-4bit');
  });

  it('asks for a token for a gated model, then uses the one kept for the session', async () => {
    expect(await H.client.request('hub/token/status', {})).toEqual({ source: null, storage: 'memory' });
    const e = await rejection(H.client.request('hub/download', { repo: 'tiny/gated' }));
    expect(e.code).toBe('HUB_AUTH');
    expect(e.details?.needsToken).toBe(true);
    const bad = await rejection(H.client.request('hub/token/set', { token: 'not-a-token' }));
    expect(bad.code).toBe('BAD_ARGUMENT');
    expect(bad.message).toContain('starts with "hf_"');
    expect(await H.client.request('hub/token/set', { token: TOKEN })).toEqual({ source: 'app', storage: 'memory' });
    const rec = await H.client.request('hub/download', { repo: 'tiny/gated' });
    expect(rec.source?.repo).toBe('tiny/gated');
    expect(await H.client.request('hub/token/clear', {})).toEqual({ source: null, storage: 'memory' });
    // Nothing of the token reached the database file.
    const db = fs.readFileSync(path.join(F.root, 'data', 'peft-lab.db'));
    expect(db.includes(Buffer.from(TOKEN))).toBe(false);
  });
});

describe('local folders', () => {
  it('notices a changed folder, reads it again on refresh, follows a move, refuses another model\'s folder', async () => {
    const dir = path.join(F.root, 'lib-model');
    fs.cpSync(F.modelDir, dir, { recursive: true });
    const rec = await H.client.request('models/register', { path: dir });
    expect(rec.diskBytes).toBe(fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0));
    const find = async (id: number) => (await H.client.request('models/list', {})).find((m) => m.id === id)!;
    expect((await find(rec.id)).changed).toBeNull();

    fs.appendFileSync(path.join(dir, 'tokenizer_config.json'), '\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    expect((await find(rec.id)).changed).toBe('missing tokenizer.json; modified tokenizer_config.json; new notes.txt');
    const refreshed = await H.client.request('models/refresh', { id: rec.id });
    expect(refreshed).toMatchObject({ changed: null, hasTokenizer: false });
    expect((await find(rec.id)).changed).toBeNull();

    const moved = path.join(F.root, 'lib-model-moved');
    fs.renameSync(dir, moved);
    expect((await find(rec.id)).changed).toBe('the folder is gone (moved or deleted); relocate the model or remove it');
    const wrong = await rejection(H.client.request('models/relocate', { id: rec.id, path: F.modelDir }));
    expect(wrong.code).toBe('CHECKPOINT_MISMATCH');
    expect(wrong.message).toContain('new tokenizer.json');
    const back = await H.client.request('models/relocate', { id: rec.id, path: moved });
    expect(back).toMatchObject({ id: rec.id, path: moved, changed: null });
    await H.client.request('models/remove', { id: rec.id });
    expect((await H.client.request('models/list', {})).some((m) => m.id === rec.id)).toBe(false);
  });
});
