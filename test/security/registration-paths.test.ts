// Paths a person (or a page driving the API) gives to models/register and datasets/register (issue #9, Security).
// Policy (src-main/host/safe-files.ts): any folder or file of the machine may be registered, `..` and symlinks
// leading elsewhere included (it is the person's own machine, and the Hugging Face cache links files to blobs), but
// the host reads only regular files of bounded size: a device (/dev/zero), a FIFO, a socket or a folder where a file
// should be is refused before it is opened, so no request can hang the host or exhaust its memory; a NUL byte is
// refused as malformed. Each refusal is a PeftLabError naming the file, nothing is stored, and the host goes on
// answering.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostClient } from '../../src-shared/protocol/client';
import { DATASET_MAX_BYTES } from '../../src-main/host/safe-files';
import { startHost, writeTinyStudy } from '../host/helpers';

let root: string;
let study: { modelDir: string; dataFile: string };
let client: HostClient;
let close: () => Promise<void>;
const sockets: net.Server[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-sec-paths-'));
  study = await writeTinyStudy(root);
  ({ client, close } = await startHost(path.join(root, 'data')));
});
afterAll(async () => {
  await close();
  for (const s of sockets) s.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The request's refusal (code and message), failing the test when it hangs for more than `ms`. */
async function refusal(p: Promise<unknown>, ms = 10_000): Promise<{ code: string; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  try {
    await Promise.race([p, hang]);
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
  throw new Error('the request was accepted');
}

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

/** A copy of the tiny model folder whose `file` is replaced by what `make` puts there. */
function modelWith(name: string, file: string, make: (target: string) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(study.modelDir, dir, { recursive: true });
  fs.rmSync(path.join(dir, file), { force: true });
  make(path.join(dir, file));
  return dir;
}

async function nothingStored(): Promise<void> {
  expect(await client.request('models/list', {})).toEqual([]);
  expect(await client.request('datasets/list', {})).toEqual([]);
}

describe('dataset registration', () => {
  it('refuses device files, FIFOs, sockets and folders, directly or through a symlink, without hanging', async () => {
    const fifo = path.join(root, 'data.fifo');
    mkfifo(fifo);
    const link = path.join(root, 'zero.jsonl');
    fs.symlinkSync('/dev/zero', link);
    const sock = path.join(root, 'data.sock');
    await new Promise<void>((resolve) => sockets.push(net.createServer().listen(sock, resolve)));
    const cases: [string, RegExp][] = [
      ['/dev/zero', /is a device/], ['/dev/urandom', /is a device/], [link, /is a device/], [fifo, /named pipe/], [sock, /socket/], [root, /is a folder/],
    ];
    for (const [p, why] of cases) {
      const r = await refusal(client.request('datasets/register', { path: p }));
      expect(r.code, p).toBe('BAD_ARGUMENT');
      expect(r.message, p).toMatch(why);
      expect(r.message, p).toContain(path.resolve(p));
    }
    await nothingStored();
  });

  it('refuses a NUL byte, a missing file and a file larger than it can read', async () => {
    expect(await refusal(client.request('datasets/register', { path: `${study.dataFile}\0.png` }))).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/NUL byte/) });
    expect(await refusal(client.request('datasets/register', { path: path.join(root, 'nope.jsonl') }))).toMatchObject({ code: 'FILE_NOT_FOUND' });
    const big = path.join(root, 'big.jsonl');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, DATASET_MAX_BYTES + 1); // sparse: no disk used
    expect(await refusal(client.request('datasets/register', { path: big }))).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/more than the 512 MiB/) });
    await nothingStored();
  });

  it('accepts `..` in the path and a symlink to a regular file elsewhere (the person\'s own files)', async () => {
    const rel = path.relative(process.cwd(), study.dataFile);
    const viaDots = path.join(path.dirname(study.dataFile), 'x', '..', path.basename(study.dataFile));
    const link = path.join(root, 'elsewhere', 'linked.jsonl');
    fs.mkdirSync(path.dirname(link));
    fs.symlinkSync(study.dataFile, link);
    for (const p of [rel, viaDots, link]) {
      const ds = await client.request('datasets/register', { path: p });
      expect(ds.records, p).toBe(12);
    }
  });
});

describe('model registration', () => {
  it('refuses a model folder whose files are a FIFO, /dev/zero or a folder, without hanging or crashing the host', async () => {
    const cases: [string, string, (t: string) => void, RegExp][] = [
      ['m-fifo-config', 'config.json', mkfifo, /config\.json \(model config\.json\) is a named pipe/],
      ['m-zero-config', 'config.json', (t) => fs.symlinkSync('/dev/zero', t), /config\.json \(model config\.json\) is a device/],
      ['m-zero-tokenizer', 'tokenizer.json', (t) => fs.symlinkSync('/dev/zero', t), /tokenizer\.json \(model tokenizer\.json\) is a device/],
      ['m-fifo-tokcfg', 'tokenizer_config.json', mkfifo, /named pipe/],
      ['m-fifo-weights', 'model.safetensors', mkfifo, /model\.safetensors \(model weights\) is a named pipe/],
      ['m-dir-config', 'config.json', (t) => fs.mkdirSync(t), /is a folder/],
    ];
    for (const [name, file, make, why] of cases) {
      const dir = modelWith(name, file, make);
      const r = await refusal(client.request('models/register', { path: dir }));
      expect(r.code, name).toBe('BAD_ARGUMENT');
      expect(r.message, name).toMatch(why);
    }
    // Still answering, nothing stored.
    expect(await client.request('models/list', {})).toEqual([]);
  });

  it('refuses a NUL byte and a folder that is no model, with their usual clear errors', async () => {
    expect(await refusal(client.request('models/register', { path: `${study.modelDir}\0` }))).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/NUL byte/) });
    expect(await refusal(client.request('models/register', { path: '/dev' }))).toMatchObject({ code: expect.stringMatching(/FILE_NOT_FOUND|CONFIG_INVALID/) });
    expect(await refusal(client.request('models/register', { path: path.join(root, 'no-such-model') }))).toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await client.request('models/list', {})).toEqual([]);
  });

  it('accepts a folder named with `..` whose files are symlinks to blobs elsewhere (the Hugging Face cache layout)', async () => {
    const snapshot = path.join(root, 'hub', 'snapshots', 'abc');
    const blobs = path.join(root, 'hub', 'blobs');
    fs.mkdirSync(snapshot, { recursive: true });
    fs.mkdirSync(blobs);
    for (const name of fs.readdirSync(study.modelDir)) {
      fs.copyFileSync(path.join(study.modelDir, name), path.join(blobs, `blob-${name}`));
      fs.symlinkSync(path.join('..', '..', 'blobs', `blob-${name}`), path.join(snapshot, name));
    }
    const m = await client.request('models/register', { path: path.join(snapshot, '..', 'abc') });
    expect(m.path).toBe(snapshot);
    expect(m.kind).toBe('weights');
  });
});
