// A sweep of 120 finished runs (issue #9, Load): the runs table shows one page of 50 runs with a pager, and the
// loss chart draws the runs of that page (its title says which), so neither the DOM nor the chart grows with the
// sweep. Pages forward and to the last one, checks rows, chart lines and layout, and takes screenshots:
// test-results/e2e/runs-paged-first.png and runs-paged-last.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLoadStore } from '../../scripts/bench-load-seed';
import type { Browser } from './browser';
import { openBrowser, overflowsHorizontally, screenshot } from './browser';
import type { Served } from './serve';
import { ensureRendererBuilt, startServe } from './serve';

const RUNS = 120;
const CHART = 'Loss of every run in the sweep';
let root: string;
let served: Served;
let browser: Browser;
let sweepId: number;

beforeAll(async () => {
  ensureRendererBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-e2e-paging-'));
  sweepId = seedLoadStore(path.join(root, 'data'), { smallSweeps: 1, smallRuns: 3, bigRuns: RUNS, steps: 2000, evalEvery: 100, prompts: 0, judgements: 0 }).bigSweepId;
  served = await startServe(path.join(root, 'data'));
  browser = await openBrowser();
  browser.page.setDefaultTimeout(60_000);
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

function fail(message: string): never {
  throw new Error(`${message}\n--- serve stderr ---\n${served.log().slice(-4000)}\n--- page errors ---\n${browser.errors.join('\n')}`);
}

describe('a sweep of 120 runs', () => {
  it('shows a page of 50 runs at a time, and the chart draws that page', async () => {
    const { page } = browser;
    await page.goto(`${served.url}#/sweeps/${sweepId}`);
    const rows = page.locator('table[aria-label="Runs"] tbody tr');
    const canvas = page.getByRole('img', { name: CHART, exact: true }).locator('canvas');
    const pager = page.getByRole('navigation', { name: 'Pages of runs' });
    await expect.poll(() => rows.count()).toBe(50);
    await expect.poll(() => pager.textContent()).toContain('Runs 1–50 of 120 · page 1 of 3');
    await expect.poll(() => page.getByRole('heading', { name: 'Loss · runs 1–50 of 120, the page shown above' }).count()).toBe(1);
    // Raw and smoothed training loss and validation loss of each of the 50 runs.
    await expect.poll(() => canvas.getAttribute('data-lines'), { timeout: 60_000 }).toBe(String(50 * 3));
    await expect.poll(async () => Number(await canvas.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(50 * 2 * 50);
    expect(await rows.first().getAttribute('data-status')).toBe('finished');
    const firstIds = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-run-id'))));
    expect(firstIds).toEqual([...firstIds].sort((a, b) => a - b));
    expect(await page.getByRole('list', { name: 'Legend' }).getByText('and 18 more runs', { exact: false }).count()).toBe(1);
    expect(await pager.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await screenshot(page, 'runs-paged-first');
    expect(await overflowsHorizontally(page)).toBe(false);

    await pager.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => pager.textContent()).toContain('Runs 51–100 of 120 · page 2 of 3');
    const secondIds = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-run-id'))));
    expect(secondIds).toHaveLength(50);
    expect(Math.min(...secondIds)).toBeGreaterThan(Math.max(...firstIds));

    await pager.getByRole('button', { name: 'Last' }).click();
    await expect.poll(() => rows.count()).toBe(20);
    await expect.poll(() => pager.textContent()).toContain('Runs 101–120 of 120 · page 3 of 3');
    await expect.poll(() => canvas.getAttribute('data-lines'), { timeout: 60_000 }).toBe(String(20 * 3));
    await expect.poll(async () => Number(await canvas.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(20 * 2 * 50);
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await screenshot(page, 'runs-paged-last');
    expect(await overflowsHorizontally(page)).toBe(false);
    if (browser.errors.length > 0) fail('the page reported errors');
  });
});
