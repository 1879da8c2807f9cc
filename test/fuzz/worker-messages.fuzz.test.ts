// Worker → host messages (issue 9): WorkerToHostSchema (src-shared/protocol/worker-schema.ts) accepts every kind
// the worker sends, including NaN losses that Node's JSON IPC turns into null, and turns any other value into a
// short problem instead of a throw; a real worker process (a stand-in entry file) that sends a malformed message
// is stopped by its supervisor with "protocol error" as the reason, and the host process carries on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerProcess } from '../../src-main/host/runs/supervisor';
import type { WireError } from '../../src-shared/errors';
import type { WorkerToHost } from '../../src-shared/protocol/worker';
import { parseWorkerMessage } from '../../src-shared/protocol/worker-schema';
import { hostileJson, mutatedObject } from './arbitraries';
import { fuzzFamily, fuzzTempDir } from './fuzz-kit';

const fuzz = fuzzFamily('worker messages');
const dir = fuzzTempDir('worker');

const wire: WireError = { name: 'PeftLabError', code: 'NAN_LOSS', message: 'loss is NaN at step 3' };
const VALID: WorkerToHost[] = [
  { kind: 'event', event: { type: 'start', backend: 'wasm', device: 'cpu', trainExamples: 10, validationExamples: 2, trainableParams: 448, allParams: 9000, maxSteps: 20, resumedFrom: null, truncated: 0, dropped: 0, baseFormat: 'float32', baseWeightBytes: 36000, baseBitsPerWeight: 32 } },
  { kind: 'event', event: { type: 'step', step: 3, loss: null as unknown as number, lr: 0.01, gradNorm: 1.5, tokens: 120, tokensPerSecond: 40, epoch: 0.3, seconds: 3 } },
  { kind: 'event', event: { type: 'eval', step: 10, valLoss: 2.5, valPerplexity: 12.2, tokens: 400, charAccuracy: 0.4 } },
  { kind: 'event', event: { type: 'checkpoint', step: 10, path: '/runs/1/checkpoint-10' } },
  { kind: 'event', event: { type: 'finished', step: 20, adapterPath: '/runs/1/adapter', finalLoss: 1.2, valLoss: null, seconds: 30 } },
  { kind: 'event', event: { type: 'failed', step: 3, error: wire } },
  { kind: 'resources', rssBytes: 1e8, peakRssBytes: 2e8, tensorBytes: 1e6 },
  { kind: 'probe-result', stepSeconds: [0.5, 0.4], backend: 'wasm', device: 'cpu' },
  { kind: 'probe-failed', error: wire },
  { kind: 'data-stats', stats: { trainExamples: 10, validationExamples: 2, batchesPerEpoch: 3, maxSteps: 20, truncated: 0, dropped: 1 } },
  { kind: 'backends', report: { auto: 'wasm', probes: [{ name: 'wasm', available: true, device: 'cpu' }, { name: 'webgpu', available: false, reason: 'no adapter' }] } },
  { kind: 'job-failed', error: wire },
  { kind: 'versions', versions: { node: '20.0.0', tfjs: '4.22.0' } },
  { kind: 'gen-token', target: 'run-1', promptId: 4, delta: 'hel' },
  { kind: 'gen-sample', sample: { target: 'run-1', promptId: 4, prompt: 'Say hi', output: 'hello', tokens: 2, tokensPerSecond: 10, stopReason: 'eos', promptTokens: 3, base: '32-bit float32' } },
  { kind: 'gen-done' },
];

describe('worker messages: the schema', () => {
  fuzz.corpus(VALID.map((m) => ({ name: `valid ${m.kind}${m.kind === 'event' ? ` ${m.event.type}` : ''}`, m })), (c) => {
    // What arrives is what Node's JSON IPC delivers.
    const r = parseWorkerMessage(JSON.parse(JSON.stringify(c.m)));
    expect(r.problem).toBeNull();
  });

  it('any value, and valid messages with fields dropped or replaced: a message or a short problem, never a throw', async () => {
    const candidate = fc.oneof(hostileJson, fc.constantFrom(...VALID).chain((m) => mutatedObject(m as unknown as Record<string, unknown>)),
      fc.constantFrom(...VALID.filter((m) => m.kind === 'event')).chain((m) => mutatedObject((m as { event: Record<string, unknown> }).event).map((event) => ({ kind: 'event', event }))));
    await fuzz.check(fc.asyncProperty(candidate, async (v) => {
      const r = parseWorkerMessage(v);
      if (r.message === null) expect(r.problem.length).toBeLessThanOrEqual(300);
      return true;
    }), 400);
  });
});

describe('worker messages: a worker that sends junk', () => {
  afterEach(() => delete process.env.PEFT_LAB_WORKER_ENTRY);

  /** Runs a stand-in worker that sends `messages` once the job arrives, then idles until killed. */
  async function runFake(name: string, messages: unknown[]) {
    const entry = path.join(dir, `${name}.mjs`);
    fs.writeFileSync(entry, `process.once('message', () => { for (const m of ${JSON.stringify(messages)}) process.send(m); setInterval(() => {}, 1000); });\n`);
    process.env.PEFT_LAB_WORKER_ENTRY = entry;
    const received: WorkerToHost[] = [];
    const w = new WorkerProcess({ kind: 'backends' }, null, { onMessage: (m) => received.push(m), onExit: () => undefined });
    const timer = setTimeout(() => w.kill(), 20_000); // a worker the check let through would idle forever
    const verdict = await w.exited;
    clearTimeout(timer);
    return { verdict, received };
  }

  fuzz.corpus([
    { name: 'an event without its event', junk: { kind: 'event' }, says: 'event' },
    { name: 'an event of unknown type', junk: { kind: 'event', event: { type: 'explode', step: 1 } }, says: 'event' },
    { name: 'an unknown kind', junk: { kind: 'reboot' }, says: 'kind' },
    { name: 'a bare string', junk: 'hello', says: 'protocol error' },
    { name: 'data-stats with a negative count', junk: { kind: 'data-stats', stats: { ...(VALID[9] as { stats: object }).stats, trainExamples: -1 } }, says: 'trainExamples' },
  ], async (c) => {
    const { verdict, received } = await runFake(c.name.replace(/\W+/g, '-'), [VALID[6], c.junk]);
    expect(received.map((m) => m.kind)).toEqual(['resources']); // the valid message before the junk got through
    expect(verdict.status).toBe('interrupted');
    expect(verdict.status === 'interrupted' && verdict.reason).toMatch(/protocol error: the worker sent a malformed message/);
    expect(verdict.status === 'interrupted' && verdict.reason).toContain(c.says);
  });
});
