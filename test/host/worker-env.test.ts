// Workers side by side share the cores: each is told its share (PEFT_LAB_THREADS) for its kernels' thread pools,
// unless the person running the app set PEFT_LAB_THREADS themselves.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startHost } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-worker-env-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const saved = process.env.PEFT_LAB_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.PEFT_LAB_THREADS;
  else process.env.PEFT_LAB_THREADS = saved;
});

describe('worker environment', () => {
  it('gives each worker the cores divided by the concurrency (at least one), or leaves a set PEFT_LAB_THREADS alone', async () => {
    delete process.env.PEFT_LAB_THREADS;
    const { client, host, close } = await startHost(path.join(root, 'data'));
    try {
      const cores = os.availableParallelism();
      for (const concurrency of [1, 2, cores + 1]) {
        await client.request('settings/set', { concurrency });
        expect(host.services.scheduler.workerEnv()).toEqual({ PEFT_LAB_THREADS: String(Math.max(1, Math.floor(cores / concurrency))) });
      }
      process.env.PEFT_LAB_THREADS = '3';
      expect(host.services.scheduler.workerEnv()).toEqual({});
    } finally {
      await close();
    }
  });
});
