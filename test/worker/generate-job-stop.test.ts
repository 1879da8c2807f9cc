// A review generation job stops between prompts when its signal aborts (a SIGTERM or the host going away), even on
// wasm/cpu where every await of a generation resolves as a microtask: the job gives the event loop a turn before each
// prompt, so an abort scheduled as a macrotask (as a signal handler or an IPC message is) lands there.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateJob, WorkerToHost } from '../../src-shared/protocol/worker';
import { runGenerateJob } from '../../src-main/worker/generate-job';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';
import { writeTinyModel } from '../helpers/tiny-model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-gen-stop-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let job: GenerateJob;

beforeAll(async () => {
  const model = path.join(root, 'tiny');
  await writeTinyModel(model, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 5 });
  await writeTinyTokenizer(model);
  job = {
    model, backend: 'cpu', template: { kind: 'alpaca' },
    decoding: { greedy: true, temperature: 1, topP: 1, topK: 0, maxNewTokens: 4, stopStrings: [], seed: 1 },
    prompts: Array.from({ length: 6 }, (_, i) => ({ id: i + 1, fields: { instruction: `Say ${i}.` } })),
    targets: [{ key: 'base', runId: null, step: null, kind: 'final', adapterDir: null, promptIds: [1, 2, 3, 4, 5, 6] }],
  };
});

describe('a generation job asked to stop', () => {
  it('finishes every prompt when left alone', async () => {
    const sent: WorkerToHost[] = [];
    await runGenerateJob(job, (m) => sent.push(m), new AbortController().signal);
    expect(sent.filter((m) => m.kind === 'gen-sample')).toHaveLength(6);
    expect(sent[sent.length - 1].kind).toBe('gen-done');
  });

  it('stops at the next prompt when aborted from a macrotask after the first sample', async () => {
    const sent: WorkerToHost[] = [];
    const controller = new AbortController();
    const send = (m: WorkerToHost): void => {
      sent.push(m);
      if (m.kind === 'gen-sample' && sent.filter((s) => s.kind === 'gen-sample').length === 1) setImmediate(() => controller.abort());
    };
    await expect(runGenerateJob(job, send, controller.signal)).rejects.toThrow('generation stopped');
    expect(sent.filter((m) => m.kind === 'gen-sample')).toHaveLength(1);
    expect(sent.some((m) => m.kind === 'gen-done')).toBe(false);
  });
});
