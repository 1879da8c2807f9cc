// The runs table of a sweep trained through the distributed queue shows which worker trained each run (issue #10):
// a finished sweep whose runs carry worker names (and one trained locally) is written into the store before
// `peft-lab serve` opens it. Screenshot: test-results/e2e/queue-workers.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { createRunQueueRepo } from '../../src-main/queue/run-queue-repo';
import type { Browser } from './browser';
import { openBrowser, overflowsHorizontally, screenshot } from './browser';
import { seedLargeSweep } from './seed-large';
import type { Served } from './serve';
import { ensureRendererBuilt, startServe } from './serve';

const WORKERS = ['gpu-box-1', 'gpu-box-2', 'gpu-box-3', null, 'gpu-box-1', 'gpu-box-2', 'gpu-box-3', 'gpu-box-1'];

let root = '';
let served: Served;
let browser: Browser;
let sweepId = 0;
beforeAll(async () => {
  ensureRendererBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-queue-e2e-'));
  const dataDir = path.join(root, 'data');
  const seeded = seedLargeSweep(dataDir, { steps: 200, evalEvery: 50 });
  sweepId = seeded.sweepId;
  const store = openStore(path.join(dataDir, 'peft-lab.db'));
  const queue = createRunQueueRepo(store.db);
  seeded.runIds.forEach((id, i) => { if (WORKERS[i]) queue.setWorker(id, WORKERS[i]); });
  store.close();
  served = await startServe(dataDir);
  browser = await openBrowser();
  browser.page.setDefaultTimeout(60_000);
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('a sweep trained by queue workers', () => {
  it('lists the worker of every run in the runs table', async () => {
    const { page } = browser;
    await page.goto(`${served.url}#/sweeps/${sweepId}`);
    const table = page.locator('table[aria-label="Runs"]');
    await expect.poll(() => table.locator('tbody tr[data-status="finished"]').count()).toBe(WORKERS.length);
    const headers = await table.locator('thead th').allTextContents();
    const col = headers.indexOf('Worker');
    expect(col).toBeGreaterThan(0);
    const cells = await table.locator(`tbody tr td:nth-child(${col + 1})`).allTextContents();
    expect(cells.map((c) => c.trim())).toEqual(WORKERS.map((w) => w ?? 'local'));
    await screenshot(page, 'queue-workers');
    expect(await overflowsHorizontally(page)).toBe(false);
    expect(browser.errors).toEqual([]);
  });
});
