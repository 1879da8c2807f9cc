// The queue's inputs: the Redis URL (a bad one names the flag and shows the expected form), the lease from the
// environment, job ids, and a job's data checked on the worker (one from another version is refused with the field).
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE, leaseFromEnv, parseQueueUrl } from '../../src-main/queue/config';
import { attemptOf, jobIdFor, parseCellJob } from '../../src-main/queue/messages';
import { isPeftLabError } from '../../src-shared/errors';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('queue URL', () => {
  it.each(['redis://10.0.0.5:6379', 'redis://127.0.0.1:7000/2', 'rediss://user:pw@queue.lan:6380', '  redis://h:1 '])('accepts %s', (u) => {
    expect(parseQueueUrl(u, '--queue')).toBe(u.trim());
  });

  it.each(['10.0.0.5:6379', 'http://10.0.0.5:6379', 'redis://', '', 'not a url'])('refuses %j, naming the flag and the form expected', (u) => {
    const e = errorOf(() => parseQueueUrl(u, '--queue'));
    expect(isPeftLabError(e, 'BAD_ARGUMENT')).toBe(true);
    expect(e.message).toContain('--queue');
    expect(e.message).toContain('redis://HOST:PORT');
  });
});

describe('lease', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['PEFT_LAB_QUEUE_LOCK_MS', 'PEFT_LAB_QUEUE_STALLED_MS', 'PEFT_LAB_QUEUE_MAX_STALLED']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('defaults to a 30 s lock checked every 15 s, and takes shorter ones from the environment', () => {
    delete process.env.PEFT_LAB_QUEUE_LOCK_MS;
    delete process.env.PEFT_LAB_QUEUE_STALLED_MS;
    delete process.env.PEFT_LAB_QUEUE_MAX_STALLED;
    expect(leaseFromEnv()).toEqual({ lockMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 5 });
    expect(DEFAULT_LEASE.lockMs).toBe(30_000);
    process.env.PEFT_LAB_QUEUE_LOCK_MS = '2000';
    process.env.PEFT_LAB_QUEUE_STALLED_MS = '1000';
    expect(leaseFromEnv()).toMatchObject({ lockMs: 2000, stalledIntervalMs: 1000 });
  });

  it('refuses a lease that is not a whole number of ms, naming the variable', () => {
    process.env.PEFT_LAB_QUEUE_LOCK_MS = '2s';
    expect(errorOf(() => leaseFromEnv()).message).toContain('PEFT_LAB_QUEUE_LOCK_MS="2s"');
    process.env.PEFT_LAB_QUEUE_LOCK_MS = '10';
    expect(errorOf(() => leaseFromEnv()).message).toMatch(/≥ 1000/);
  });
});

describe('jobs', () => {
  it('are named by run and attempt, and read back', () => {
    expect(jobIdFor(12, 3)).toBe('run-12-a3');
    expect(attemptOf('run-12-a3')).toEqual({ runId: 12, attempt: 3 });
    expect(attemptOf('something-else')).toBeNull();
  });

  it('with data another version wrote are refused with the field named', () => {
    const e = errorOf(() => parseCellJob({ runId: 1, attempt: 1, label: 'x', spec: { model: '/m' } }, 'run-1-a1'));
    expect(isPeftLabError(e, 'SPEC_INVALID')).toBe(true);
    expect(e.message).toMatch(/^queue job run-1-a1: spec\.\w+/);
    expect(errorOf(() => parseCellJob({ runId: 0, attempt: 1, label: 'x', spec: {} }, 'j')).message).toContain('runId');
  });
});
