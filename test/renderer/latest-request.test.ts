// The pre-flight's request discipline: debounced, and a newer request cancels the one in flight through its signal;
// answers to cancelled requests never reach the screen.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestRequest } from '../../src-renderer/lib/latest-request';
import { deferred } from './fake-host';

describe('LatestRequest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for a quiet period and sends only the last of a burst', async () => {
    const sent: string[] = [];
    const results: string[] = [];
    const latest = new LatestRequest<string>(300);
    for (const v of ['a', 'b', 'c']) {
      latest.schedule(async () => (sent.push(v), v), { onResult: (r) => results.push(r), onError: () => {} });
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toEqual(['c']);
    expect(results).toEqual(['c']);
  });

  it('aborts the request in flight when a newer one is scheduled, and drops its answer', async () => {
    const first = deferred<string>();
    const signals: AbortSignal[] = [];
    const results: string[] = [];
    const errors: unknown[] = [];
    const latest = new LatestRequest<string>(10);
    const handlers = { onResult: (r: string) => results.push(r), onError: (e: unknown) => errors.push(e) };
    latest.schedule((signal) => (signals.push(signal), first.promise), handlers);
    await vi.advanceTimersByTimeAsync(10);
    expect(latest.busy).toBe(true);
    latest.schedule(async (signal) => (signals.push(signal), 'second'), handlers);
    expect(signals[0].aborted).toBe(true);
    first.resolve('first');
    await vi.advanceTimersByTimeAsync(10);
    expect(results).toEqual(['second']);
    expect(errors).toEqual([]);
    expect(latest.busy).toBe(false);
  });

  it('reports the error of the current request', async () => {
    const errors: unknown[] = [];
    const latest = new LatestRequest<string>(0);
    latest.schedule(async () => Promise.reject(new Error('model not found')), { onResult: () => {}, onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(1);
    expect((errors[0] as Error).message).toBe('model not found');
  });
});
