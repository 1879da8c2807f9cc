// Shared set-up of the Hub tests: a tiny LLaMA folder (weights, tokenizer) published on a FakeHub as a few repos,
// and a fresh cache folder per test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPeftLabError } from '../../src-shared/errors';
import { writeTinyModel } from '../helpers/tiny-model';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';
import { FakeHub, repoFromFolder } from './fake-hub';

export const TOKEN = 'hf_testtoken1234';
export const OTHER_TOKEN = 'hf_nobodysTokenXYZ';

export interface HubFixture {
  hub: FakeHub;
  root: string;
  modelDir: string;
  /** A new empty cache folder. */
  cache(): string;
  cleanup(): Promise<void>;
}

export async function tinyModelFolder(dir: string, o: { shards?: number } = {}): Promise<string> {
  await writeTinyModel(dir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, eosTokenId: TINY_EOS_ID, std: 0.4, shards: o.shards });
  await writeTinyTokenizer(dir, { chatTemplate: true });
  return dir;
}

export async function startHubFixture(): Promise<HubFixture> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-hub-'));
  const modelDir = await tinyModelFolder(path.join(root, 'tiny'));
  const shardedDir = await tinyModelFolder(path.join(root, 'tiny-sharded'), { shards: 2 });
  const hub = new FakeHub();
  const extras = { 'README.md': '# tiny\n', 'pytorch_model.bin': Buffer.alloc(3000, 7), 'onnx/model.onnx': Buffer.alloc(500, 1), '.gitattributes': '*.safetensors filter=lfs\n' };
  hub.repos.set('tiny/llama', repoFromFolder(modelDir, extras));
  hub.repos.set('tiny/sharded', repoFromFolder(shardedDir));
  hub.repos.set('tiny/gated', { ...repoFromFolder(modelDir), gated: true, tokens: new Set([TOKEN]) });
  const gpt2 = repoFromFolder(modelDir);
  const cfg = JSON.parse(gpt2.files.get('config.json')!.toString()) as Record<string, unknown>;
  gpt2.files.set('config.json', Buffer.from(JSON.stringify({ ...cfg, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] })));
  hub.repos.set('tiny/gpt2', gpt2);
  hub.repos.set('tiny/bin-only', repoFromFolder(modelDir, { 'model.safetensors': '' }));
  hub.repos.get('tiny/bin-only')!.files.delete('model.safetensors');
  hub.repos.get('tiny/bin-only')!.files.set('pytorch_model.bin', Buffer.alloc(100, 2));
  await hub.start();
  let n = 0;
  return {
    hub, root, modelDir,
    cache: () => fs.mkdtempSync(path.join(root, `cache-${n++}-`)),
    cleanup: async () => {
      await hub.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The PeftLabError a promise rejects with (code, message, details); fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (isPeftLabError(e)) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error('expected a rejection');
}
