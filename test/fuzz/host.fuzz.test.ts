// A real in-process host fed hostile folders, files and sweep specs (issue 9): model folders with a damaged
// config.json, checkpoint or tokenizer; data files in bad encodings, with giant lines or without the fields;
// sweep specs with fields dropped or replaced. Every failed call leaves every table exactly as it was, the error
// is structured (not INTERNAL), and the host still answers afterwards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeftLabError } from '../../src-shared/errors';
import type { HostClient } from '../../src-shared/protocol/client';
import type { HostCore } from '../../src-main/host/host';
import { startHost, tinySweep, writeTinyStudy } from '../host/helpers';
import { cloneableHostileJson, hostileJson, jsonText, mutatedBytes, mutatedObject } from './arbitraries';
import { fuzzFamily, fuzzTempDir } from './fuzz-kit';
import { storeCounts } from './host-kit';

const fuzz = fuzzFamily('host calls');
const root = fuzzTempDir('host');
let study: Awaited<ReturnType<typeof writeTinyStudy>>;
let host: HostCore;
let client: HostClient;
let close: () => Promise<void>;

beforeAll(async () => {
  study = await writeTinyStudy(root);
  ({ host, client, close } = await startHost(path.join(root, 'data')));
  await client.request('models/register', { path: study.modelDir });
  await client.request('datasets/register', { path: study.dataFile });
});
afterAll(async () => {
  await close?.();
});

/** One call: a result, or a structured error after which every table holds exactly what it held before. */
async function call(method: 'models/register' | 'datasets/register' | 'sweeps/create' | 'sweeps/preflight', params: unknown): Promise<boolean> {
  const before = storeCounts(host);
  try {
    await client.request(method, params as never);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(PeftLabError);
    const err = e as PeftLabError;
    expect(err.code, `${method}: ${err.message.slice(0, 400)}`).not.toBe('INTERNAL');
    expect(storeCounts(host), `${method} failed (${err.code}) but changed the store`).toEqual(before);
    return false;
  }
}

let n = 0;
/** A copy of the tiny model folder with one file replaced (null: removed). */
function modelCopy(file: string, content: string | Uint8Array | null): string {
  const dir = path.join(root, `m${n++}`);
  fs.cpSync(study.modelDir, dir, { recursive: true });
  if (content === null) fs.rmSync(path.join(dir, file), { recursive: true, force: true });
  else fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

describe('host: hostile registrations', () => {
  it('model folders with a damaged config.json, checkpoint or tokenizer', async () => {
    const config = JSON.parse(fs.readFileSync(path.join(study.modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const weights = new Uint8Array(fs.readFileSync(path.join(study.modelDir, 'model.safetensors')));
    const headerEnd = 8 + Number(new DataView(weights.buffer, weights.byteOffset).getBigUint64(0, true));
    const folder = fc.oneof(
      mutatedObject(config, ['head_dim', 'quantization_config', 'rope_scaling']).map((c) => modelCopy('config.json', jsonText(c))),
      mutatedBytes(weights, headerEnd).map((b) => modelCopy('model.safetensors', b)),
      hostileJson.map((j) => modelCopy('tokenizer.json', jsonText(j))),
      fc.constantFrom('config.json', 'model.safetensors').map((f) => modelCopy(f, null)),
    );
    await fuzz.check(fc.asyncProperty(folder, async (dir) => {
      await call('models/register', { path: dir });
      return true;
    }), 30);
  });

  it('data files: bad bytes, wrong shapes, giant lines', async () => {
    const good = fs.readFileSync(study.dataFile);
    const file = fc.oneof(
      fc.tuple(mutatedBytes(new Uint8Array(good), 200), fc.constantFrom('jsonl', 'json', 'csv')),
      fc.tuple(fc.array(hostileJson.map(jsonText), { maxLength: 4 }).map((ls) => new TextEncoder().encode(ls.join('\n'))), fc.constant('jsonl')),
    ).map(([bytes, ext]) => {
      const f = path.join(root, `d${n++}.${ext}`);
      fs.writeFileSync(f, bytes);
      return f;
    });
    await fuzz.check(fc.asyncProperty(file, async (f) => {
      await call('datasets/register', { path: f });
      return true;
    }), 30);
    const giant = path.join(root, 'giant.jsonl');
    fs.writeFileSync(giant, `{"instruction":"a","output":"b"}\n{"instruction":"${'z'.repeat(9 * 2 ** 20)}","output":"b"}\n`);
    expect(await call('datasets/register', { path: giant })).toBe(false);
    for (const p of [root, path.join(root, 'missing.jsonl'), '\u0000', '.', '/dev/null']) expect(await call('datasets/register', { path: p })).toBe(false);
    fuzz.count(6);
  });
});

describe('host: hostile sweep specs', () => {
  it('sweeps/create (not launched) with hostile specs: refused before anything is stored', async () => {
    const spec = tinySweep(study) as unknown as Record<string, unknown>;
    const specs = fc.oneof(
      mutatedObject(spec, [], cloneableHostileJson),
      fc.constantFrom(
        { ...spec, model: path.join(root, 'no-such-model') },
        { ...spec, dataset: { path: path.join(root, 'no-such.jsonl') } },
        { ...spec, template: { kind: 'custom', prompt: '{nope}\n', response: '{output}' } },
        { ...spec, axes: { r: [10_000] } },
        { ...spec, axes: { targets: [{ name: 'x', modules: ['c_attn'] }] } },
        { ...spec, sequence: { maxLength: 1e12 } },
      ),
    );
    await fuzz.check(fc.asyncProperty(specs, async (s) => {
      await call('sweeps/create', { spec: s, launch: false });
      return true;
    }), 6); // each spec that passes the schema costs a data-statistics worker
    expect((await client.request('settings/get', {})).backend).toBeTruthy();
  });
});
