// A tiny study on disk (model, tokenizer, dataset) and an in-process host with a typed client, for host tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SweepSpecInput } from '../../src-shared/domain/sweep-spec';
import { HostClient } from '../../src-shared/protocol/client';
import { memoryTransportPair } from '../../src-shared/protocol/memory-transport';
import { createHost } from '../../src-main/host/host';
import type { HostCore } from '../../src-main/host/host';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';
import { writeTinyModel } from '../helpers/tiny-model';

export async function writeTinyStudy(root: string): Promise<{ modelDir: string; dataFile: string }> {
  const modelDir = path.join(root, 'model');
  await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID, std: 0.4 });
  await writeTinyTokenizer(modelDir);
  const dataFile = path.join(root, 'data.jsonl');
  const records = Array.from({ length: 12 }, (_, i) => ({ instruction: `Say the number ${i}.`, output: `${i} ${i} ${i}` }));
  fs.writeFileSync(dataFile, records.map((r) => JSON.stringify(r)).join('\n'));
  return { modelDir, dataFile };
}

export function tinySweep(study: { modelDir: string; dataFile: string }, over: Partial<SweepSpecInput> = {}): SweepSpecInput {
  return {
    name: 'tiny 2x2',
    model: study.modelDir,
    dataset: { path: study.dataFile, validationSplit: 0.2 },
    template: { kind: 'custom', prompt: '{instruction}\n', response: '{output}' },
    sequence: { maxLength: 64 },
    training: { maxSteps: 20, batchSize: 4, learningRate: 0.01, evalEvery: 10, checkpointEvery: 10 },
    axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }] },
    backend: 'wasm',
    ...over,
  };
}

export async function startHost(dataDir: string): Promise<{ host: HostCore; client: HostClient; close(): Promise<void> }> {
  const host = await createHost({ dataDir, mode: 'cli', log: () => undefined });
  const { client, server } = memoryTransportPair();
  host.attach(server);
  const c = new HostClient(client);
  return { host, client: c, close: async () => { c.close(); await host.shutdown(); } };
}

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 120_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
