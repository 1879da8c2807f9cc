// `peft-lab download` and `peft-lab models …` through the real command parser (in this process: a spawned CLI costs
// ~15 s of start-up here) against the fake Hub: a dry run shows files and size, a download registers the model,
// a gated repo asks for --token and works with it, and the library lists, relocates and removes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubPlan } from '../../src-shared/domain/hub';
import type { ModelRecord } from '../../src-shared/domain/records';
import { buildProgram } from '../../src-main/cli/program';
import type { HubFixture } from './hub-fixture';
import { startHubFixture, TOKEN } from './hub-fixture';


let F: HubFixture;
let cache = '';
let data = '';
const savedEnv = { ...process.env };
beforeAll(async () => {
  F = await startHubFixture();
  cache = F.cache();
  data = path.join(F.root, 'data');
  delete process.env.HF_TOKEN;
  process.env.HF_TOKEN_PATH = path.join(F.root, 'no-token-file');
});
afterAll(async () => {
  await F?.cleanup();
  for (const k of ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_TOKEN', 'HF_TOKEN_PATH']) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});
afterEach(() => vi.restoreAllMocks());

/** Runs `peft-lab …args`; returns what it printed on stdout. */
async function cli(...args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return out;
}

const hubArgs = () => ['--endpoint', F.hub.url, '--cache-dir', cache, '--data-dir', data];

describe('peft-lab download', () => {
  it('shows the plan on --dry-run and fetches nothing big', async () => {
    const plan = JSON.parse(await cli('download', 'tiny/llama', ...hubArgs(), '--dry-run', '--json')) as HubPlan;
    expect(plan.files.map((f) => f.path)).toContain('model.safetensors');
    expect(F.hub.contentRequests('model.safetensors')).toEqual([]);
    const text = await cli('download', 'tiny/llama', ...hubArgs(), '--dry-run');
    expect(text).toMatch(/4 files, [\d.]+ KiB \([\d.]+ KiB to download\) → /);
    expect(text).toContain('not needed for a run: .gitattributes, README.md, onnx/, pytorch_model.bin');
  });

  it('downloads, registers, and lists the model', async () => {
    const rec = JSON.parse(await cli('download', 'tiny/llama', ...hubArgs(), '--json')) as ModelRecord;
    expect(rec).toMatchObject({ name: 'tiny/llama', kind: 'weights', source: { repo: 'tiny/llama', revision: 'main' } });
    const list = JSON.parse(await cli('models', 'list', '--data-dir', data, '--json')) as ModelRecord[];
    expect(list.map((m) => m.name)).toEqual(['tiny/llama']);
    expect(await cli('models', 'list', '--data-dir', data)).toMatch(/tiny\/llama\s+llama · [\d,]+ params · F32 · tokenizer · chat template · [\d.]+ KiB · from tiny\/llama@main/);
  });

  it('asks for --token on a gated repo and works with it', async () => {
    await expect(cli('download', 'tiny/gated', ...hubArgs())).rejects.toThrow(/needs a token: the model is gated or private.*--token hf_… or \$HF_TOKEN/);
    await expect(cli('download', 'tiny/gated', ...hubArgs(), '--token', 'nope')).rejects.toThrow('--token: a Hugging Face token starts with "hf_"');
    const rec = JSON.parse(await cli('download', 'tiny/gated', ...hubArgs(), '--token', TOKEN, '--json', '--name', 'gated tiny')) as ModelRecord;
    expect(rec.name).toBe('gated tiny');
  });
});

describe('peft-lab models', () => {
  it('registers, relocates and removes a folder', async () => {
    const dir = path.join(F.root, 'cli-model');
    fs.cpSync(F.modelDir, dir, { recursive: true });
    const rec = JSON.parse(await cli('models', 'register', dir, '--data-dir', data, '--json')) as ModelRecord;
    const moved = path.join(F.root, 'cli-model-moved');
    fs.renameSync(dir, moved);
    expect(await cli('models', 'list', '--data-dir', data)).toContain('CHANGED since registration: the folder is gone (moved or deleted)');
    const back = JSON.parse(await cli('models', 'relocate', String(rec.id), moved, '--data-dir', data, '--json')) as ModelRecord;
    expect(back).toMatchObject({ id: rec.id, path: moved, changed: null });
    expect(await cli('models', 'remove', String(rec.id), '--data-dir', data)).toContain(`removed model ${rec.id}`);
    const names = (JSON.parse(await cli('models', 'list', '--data-dir', data, '--json')) as ModelRecord[]).map((m) => m.name);
    expect(names).not.toContain('cli-model');
  });
});
