// First run: a new data folder opens with the embedded demo registered and its sweep preset drafted (one click,
// Launch, runs it); a folder that was seeded once, or already holds models, is left alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDemoOnFirstRun } from '../../src-main/host/first-run';
import { startHost } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-first-run-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('first run', () => {
  it('registers the demo model and dataset and drafts the demo sweep, once', async () => {
    const dataDir = path.join(root, 'data');
    const { host, client, close } = await startHost(dataDir);
    expect(await seedDemoOnFirstRun(host)).toBe(true);
    const [model] = await client.request('models/list', {});
    expect(model).toMatchObject({ kind: 'weights', modelType: 'llama', hiddenSize: 128, numLayers: 4, hasTokenizer: true });
    expect(model.path).toBe(path.resolve(__dirname, '../../resources/demo/model'));
    const [data] = await client.request('datasets/list', {});
    expect(data.path).toBe(path.resolve(__dirname, '../../resources/demo/data/train.jsonl'));
    const [sweep] = await client.request('sweeps/list', {});
    expect(sweep).toMatchObject({ status: 'draft' });
    expect(sweep.spec.axes.r).toEqual([8, 16]);
    expect(await client.request('runs/list', { sweepId: sweep.id })).toEqual([]); // nothing runs until Launch
    expect(await seedDemoOnFirstRun(host)).toBe(false);
    await close();
    const again = await startHost(dataDir);
    expect(await seedDemoOnFirstRun(again.host)).toBe(false);
    expect(await again.client.request('sweeps/list', {})).toHaveLength(1);
    await again.close();
  });
});
