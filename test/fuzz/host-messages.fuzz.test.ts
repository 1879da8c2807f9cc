// Host → worker messages: HostToWorkerSchema (src-shared/protocol/host-to-worker-schema.ts) passes every kind of job
// the host sends unchanged (after Node's JSON IPC), turns any other value into a short problem instead of a throw,
// and the real run worker, sent a malformed job, exits with "protocol error" naming the field, which the
// supervisor's verdict quotes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkerProcess } from '../../src-main/host/runs/supervisor';
import { RunSpecSchema } from '../../src-shared/domain/run-spec';
import { parseHostMessage } from '../../src-shared/protocol/host-to-worker-schema';
import type { HostToWorker } from '../../src-shared/protocol/worker';
import { hostileJson, mutatedObject } from './arbitraries';
import { fuzzFamily } from './fuzz-kit';

const fuzz = fuzzFamily('host messages');

const spec = RunSpecSchema.parse({
  model: '/models/tiny',
  dataset: { path: 'data.jsonl', validationSplit: 0.1 },
  template: { kind: 'custom', prompt: 'Q: {q}\nA: ', response: '{a}' },
  sequence: { maxLength: 48 },
  method: { method: 'lora', r: 8, loraAlpha: 16, targetModules: ['q_proj', 'v_proj'] },
  base: { bits: 4 },
  training: { maxSteps: 20, batchSize: 4, learningRate: 1e-3 },
  output: '/runs/1',
  backend: 'wasm',
});

const VALID: HostToWorker[] = [
  { kind: 'train', spec, specDir: '/specs', resume: false },
  { kind: 'train', spec, specDir: '/specs', resume: true, resumeAtMost: 40 },
  { kind: 'probe', spec, specDir: '/specs', steps: 3 },
  { kind: 'data-stats', spec, specDir: '/specs' },
  { kind: 'backends' },
  {
    kind: 'generate',
    job: {
      model: '/models/tiny', base: spec.base, backend: 'auto', template: { kind: 'alpaca' },
      decoding: { greedy: false, temperature: 0.7, topP: 0.9, topK: 40, maxNewTokens: 32, stopStrings: ['### End'], seed: 5 },
      prompts: [{ id: 1, fields: { instruction: 'Say hi', input: '' } }],
      targets: [
        { key: 'run-1', runId: 1, step: null, kind: 'final', adapterDir: '/runs/1/adapter', promptIds: [1] },
        { key: 'base', runId: null, step: null, kind: 'final', adapterDir: null, promptIds: [1] },
        { key: 'run-1@10', runId: 1, step: 10, kind: 'checkpoint', adapterDir: '/runs/1/checkpoint-10', promptIds: [1] },
      ],
    },
  },
];

describe('host messages: the schema', () => {
  fuzz.corpus(VALID.map((m, i) => ({ name: `valid ${m.kind} #${i}`, m })), (c) => {
    const sent = JSON.parse(JSON.stringify(c.m)) as unknown;
    const r = parseHostMessage(sent);
    expect(r.problem).toBeNull();
    expect(r.message).toEqual(sent); // nothing added, dropped or changed on the way in
  });

  fuzz.corpus([
    { name: 'a train job without its spec', junk: { kind: 'train', specDir: '/s', resume: false }, says: 'spec' },
    { name: 'a learning rate as a string', junk: { ...VALID[0], spec: { ...spec, training: { ...spec.training, learningRate: 'fast' } } }, says: 'spec.training.learningRate' },
    { name: 'an unknown kind', junk: { kind: 'reboot' }, says: 'kind' },
    { name: 'a generate job with a negative prompt id', junk: { kind: 'generate', job: { ...(VALID[5] as { job: object }).job, prompts: [{ id: -1, fields: {} }] } }, says: 'job.prompts.0.id' },
    { name: 'an extra field', junk: { kind: 'backends', shell: 'rm -rf /' }, says: 'shell' },
  ], (c) => {
    const r = parseHostMessage(c.junk);
    expect(r.message).toBeNull();
    expect(r.problem).toContain(c.says);
  });

  it('any value, and valid jobs with fields dropped or replaced: a job or a short problem, never a throw', async () => {
    const candidate = fc.oneof(hostileJson, fc.constantFrom(...VALID).chain((m) => mutatedObject(m as unknown as Record<string, unknown>)));
    await fuzz.check(fc.asyncProperty(candidate, async (v) => {
      const r = parseHostMessage(v);
      if (r.message === null) expect(r.problem.length).toBeLessThanOrEqual(300);
      return true;
    }), 400);
  });
});

describe('host messages: the real worker sent a malformed job', () => {
  it('exits with a protocol error naming the field, and the verdict quotes it', async () => {
    const junk = { ...VALID[0], spec: { ...spec, training: { ...spec.training, batchSize: -4 } } } as unknown as HostToWorker;
    const w = new WorkerProcess(junk, null, { onMessage: () => undefined, onExit: () => undefined });
    const timer = setTimeout(() => w.kill(), 60_000); // a worker that started training anyway would run on
    const verdict = await w.exited;
    clearTimeout(timer);
    expect(verdict.status).toBe('interrupted');
    const reason = verdict.status === 'interrupted' ? verdict.reason : '';
    expect(reason).toMatch(/exited with code 1 \(protocol error: the host sent a malformed job \(spec\.training\.batchSize: /);
  });
});
