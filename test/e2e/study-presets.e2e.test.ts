// Study presets in a browser (web mode): the sweep builder's "Start from a study preset" picker fills the form with
// a preset's sweep (an ordinary, editable sweep: name, grid, validation file, preset tag), and the review summary
// of a study sweep shows the published finding beside the verdict computed from its stored runs (here synthetic
// finished runs written into the data folder before the server starts, so no training is needed).
// Screenshots: test-results/e2e/study-picker.png, test-results/e2e/study-summary.png.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepCell } from '../../src-shared/domain/sweep-spec';
import { storedStudy, testEnv } from '../studies/synthetic-store';
import type { Browser } from './browser';
import { openBrowser, overflowsHorizontally, screenshot } from './browser';
import type { Served } from './serve';
import { ensureRendererBuilt, startServe } from './serve';

let root = '';
let served: Served;
let browser: Browser;
let page: Page;
let sweepId = 0;

const isAll = (c: SweepCell) => 'preset' in c.targets && c.targets.preset === 'all-linear';
// val loss: all linear −0.13, r 16 −0.03, 4-bit +0.002: the finding's direction, by a margin beyond the tolerance
const numbers = (c: SweepCell) => ({
  valLoss: 4.67 - (isAll(c) ? 0.13 : 0) - (c.r === 16 ? 0.03 : 0) + (c.bits === 4 ? 0.002 : 0),
  trainLoss: 4.7 - (isAll(c) ? 0.2 : 0),
  trainableParams: (isAll(c) ? 9760 : 2048) * c.r,
});

beforeAll(async () => {
  ensureRendererBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-e2e-study-'));
  const data = path.join(root, 'data');
  fs.mkdirSync(data);
  const { store, sweepId: id } = await storedStudy('which-r-modules', 'quick', numbers, path.join(data, 'peft-lab.db'));
  sweepId = id;
  store.close();
  served = await startServe(data);
  browser = await openBrowser();
  page = browser.page;
  page.setDefaultTimeout(60_000);
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(testEnv().generatedDir, { recursive: true, force: true });
});

const fail = (message: string): never => {
  throw new Error(`${message}\n--- serve stderr ---\n${served.log().slice(-4000)}\n--- page errors ---\n${browser.errors.join('\n')}`);
};

describe('study presets', () => {
  it('the builder starts from a preset: MoRA memorisation fills name, grid, validation file and the preset tag', async () => {
    await page.goto(served.url + '#/sweeps/new');
    await page.getByText('connected', { exact: true }).waitFor();
    await page.getByLabel('Study preset', { exact: true }).selectOption({ label: 'High rank for memorisation' });
    await expect.poll(() => page.getByText('arXiv:2405.12130').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Use preset' }).click();
    await expect.poll(() => page.getByLabel('Sweep name').inputValue()).toBe('High rank for memorisation (quick)');
    const tag = page.getByLabel('Study preset in use');
    await tag.waitFor();
    expect(await tag.innerText()).toContain('validation file uuid-pairs-n16-s2024.jsonl');
    // the generated dataset was registered and chosen; the model is the demo's
    expect(await page.getByLabel('Dataset', { exact: true }).inputValue()).toMatch(/uuid-pairs-n16-s2024\.jsonl$/);
    // the pre-flight (a data-stats job on the generated pairs) finds all four cells runnable
    await expect.poll(() => page.getByText('4 of 4 cells will run').count(), { timeout: 180_000 }).toBe(1);
    if (await overflowsHorizontally(page)) fail('the sweep builder overflows horizontally');
    await screenshot(page, 'study-picker');
  });

  it('the summary of a study sweep shows the published finding beside the measured verdict', async () => {
    await page.goto(served.url + `#/review/${sweepId}/summary`);
    const published = page.getByRole('region', { name: 'Published finding' });
    await published.waitFor();
    expect(await published.innerText()).toContain('Databricks');
    const measured = page.getByRole('region', { name: 'Measured verdict' });
    const text = await measured.innerText();
    // (all − qv) − (r16 − r8) = 0.13 − 0.03 = 0.10 nats for all linear; 4-bit 0.002 worse, inside the 0.02 tolerance
    expect(text).toContain('+0.1000 val loss');
    expect(text.match(/AGREES/gi)?.length).toBe(2);
    const table = page.getByRole('table', { name: 'Study measurements' });
    expect(await table.locator('tbody tr').count()).toBe(8);
    expect(await table.innerText()).toContain('78,080');
    if (await overflowsHorizontally(page)) fail('the summary overflows horizontally');
    await screenshot(page, 'study-summary');
  });
});
