// The whole app in a browser: `peft-lab serve` on a temporary data folder, Chromium through playwright-core.
// Registers a tiny model and dataset by path, previews a formatted example, builds a 2×2 LoRA grid (r 2, 4 ×
// attention q,v, all linear), checks the pre-flight's trainable counts against hand-derived ones, launches it,
// watches the loss chart grow while the runs train, waits for all four to finish, and reloads to find everything
// still there. Screenshots of every screen go to test-results/e2e/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartPoints, hostLatency, overflowsHorizontally, runStatuses, screenshot, SCREENSHOTS } from './browser';
import { ALL_LINEAR, ATTENTION_QV, loraTrainable, RECORDS } from './fixtures';
import { buildGrid as buildGridFlow, previewCustomTemplate, registerModelAndData as registerModelAndDataFlow } from './flows';
import type { Session } from './session';
import { useSession } from './session';

const SWEEP_CHART = 'Loss of every run in the sweep';
const MAX_STEPS = 30;
const CELLS = [
  { label: 'lora · r=2 · attention q,v · 32-bit', trainable: loraTrainable(2, ATTENTION_QV) },
  { label: 'lora · r=2 · all linear · 32-bit', trainable: loraTrainable(2, ALL_LINEAR) },
  { label: 'lora · r=4 · attention q,v · 32-bit', trainable: loraTrainable(4, ATTENTION_QV) },
  { label: 'lora · r=4 · all linear · 32-bit', trainable: loraTrainable(4, ALL_LINEAR) },
];

const S = useSession('peft-lab-e2e-');
const fail = (message: string): never => S.fail(message);
let page: Page;
let served: Session['served'];
let browser: Session['browser'];
let files: Session['files'];
beforeAll(() => ({ page, served, browser, files } = S));

async function registerModelAndData(): Promise<void> {
  await registerModelAndDataFlow(page, served.url, files);
}

async function previewExample(): Promise<void> {
  await previewCustomTemplate(page);
  const prompt = page.getByLabel('Prompt of record 0');
  // Exactly the text the model sees: the template filled, newline and trailing space kept.
  expect(await prompt.textContent()).toBe(`Q: ${RECORDS[0].instruction}\nA: `);
  expect(await page.getByLabel('Response of record 0').textContent()).toBe(RECORDS[0].output);
  const card = await page.getByRole('article', { name: 'Example 0' }).innerText();
  expect(card).toMatch(/prompt \d+ tokens · response \d+ tokens/);
  expect(card).not.toContain('truncated');
  await screenshot(page, '1-models-and-preview');
  expect(await overflowsHorizontally(page)).toBe(false);
}

async function buildGrid(): Promise<void> {
  await buildGridFlow(page, { name: 'e2e r × targets', maxSteps: MAX_STEPS });
}

async function checkPreflight(): Promise<void> {
  const rows = page.locator('table[aria-label="Pre-flight"] tbody tr');
  await expect.poll(async () => (await rows.count()) === 4 && !(await page.getByText('checking…').isVisible()), { timeout: 120_000 }).toBe(true);
  for (const cell of CELLS) {
    const row = rows.filter({ has: page.getByTitle(cell.label, { exact: true }) });
    const shown = Number((await row.locator('td.trainable').innerText()).replace(/,/g, ''));
    expect(shown, cell.label).toBe(cell.trainable);
    expect(await row.innerText()).toMatch(/\bok\b/);
    expect(await row.innerText()).toContain('fits');
  }
  await page.getByRole('button', { name: 'Estimate time' }).click();
  await expect.poll(async () => (await rows.locator('td:last-child').allInnerTexts()).every((t) => t.trim() !== '—'), { timeout: 300_000 }).toBe(true);
  await screenshot(page, '2-sweep-builder');
  expect(await overflowsHorizontally(page)).toBe(false);
}

interface Growth {
  counts: number[];
  lagSamples: { p50: number; max: number }[];
  shots: Buffer[];
}

/** Samples the chart's point count (and two screenshots) until every run has finished. */
async function watchSweep(): Promise<Growth> {
  const g: Growth = { counts: [], lagSamples: [], shots: [] };
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const statuses = await runStatuses(page);
    const points = await chartPoints(page, SWEEP_CHART);
    if (g.counts[g.counts.length - 1] !== points) g.counts.push(points);
    const running = statuses.includes('running');
    if (running && points > 0 && g.shots.length < 2 && (g.shots.length === 0 || points > g.counts[0] + 20)) {
      g.shots.push(await screenshot(page, `3-runs-live-${g.shots.length + 1}`, false));
    }
    const lag = await hostLatency(page);
    if (lag) g.lagSamples.push(lag);
    if (statuses.length === 4 && statuses.every((s) => ['finished', 'failed', 'interrupted', 'stopped'].includes(s))) return g;
    if (Date.now() > deadline) fail(`runs did not finish: ${statuses.join(', ')}`);
    await page.waitForTimeout(250);
  }
}

/** Launches the sweep, watches the chart grow while the runs train, and returns the final point count. */
async function trainLive(): Promise<{ hash: string; points: number }> {
  await page.getByRole('button', { name: 'Launch sweep' }).click();
  await expect.poll(() => page.url()).toMatch(/#\/sweeps\/\d+$/);
  const hash = new URL(page.url()).hash;
  const growth = await watchSweep();
  const statuses = await runStatuses(page);
  if (!statuses.every((s) => s === 'finished')) fail(`not every run finished: ${statuses.join(', ')}`);

  // The chart grew while the runs trained: several increasing counts, and two different pictures.
  expect(growth.counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(3);
  expect(growth.shots.length).toBe(2);
  expect(growth.shots[0].equals(growth.shots[1])).toBe(false);
  await expect.poll(() => chartPoints(page, SWEEP_CHART)).toBeGreaterThanOrEqual(4 * MAX_STEPS);
  const points = await chartPoints(page, SWEEP_CHART);
  await screenshot(page, '4-runs-finished');
  expect(await overflowsHorizontally(page)).toBe(false);

  const lag = growth.lagSamples[growth.lagSamples.length - 1] ?? null;
  fs.writeFileSync(path.join(SCREENSHOTS, 'host-latency.json'), JSON.stringify({ note: 'heartbeat round trip (settings/get) measured by the app during the sweep, ms', last: lag, samples: growth.lagSamples.length, chartCounts: growth.counts }, null, 2));
  console.log(`host round trip during the sweep: median ${lag?.p50} ms, max ${lag?.max} ms; chart counts ${growth.counts.join(' → ')}`);
  return { hash, points };
}

/** Reload: the same screen, the sweep, its finished runs and the chart come back from the host's store. */
async function checkAfterReload(hash: string, points: number): Promise<void> {
  await page.reload();
  expect(new URL(page.url()).hash).toBe(hash);
  await page.getByRole('navigation', { name: 'Sweeps' }).getByText('e2e r × targets').waitFor();
  await expect.poll(() => runStatuses(page)).toEqual(['finished', 'finished', 'finished', 'finished']);
  await expect.poll(() => chartPoints(page, SWEEP_CHART), { timeout: 30_000 }).toBe(points);
  await screenshot(page, '5-runs-after-reload');
}

async function checkRunDetail(): Promise<void> {
  await page.getByRole('link', { name: CELLS[0].label }).click();
  await expect.poll(() => page.url()).toMatch(/#\/runs\/\d+$/);
  const config = page.getByRole('table', { name: 'Configuration' });
  await config.waitFor();
  expect(await config.innerText()).toContain('attention q,v');
  expect(await config.innerText()).toMatch(/Seed\s+42/);
  await expect.poll(() => page.getByRole('table', { name: 'Artifacts' }).locator('tbody tr').count()).toBeGreaterThan(0);
  await expect.poll(() => page.getByRole('table', { name: 'Events' }).locator('tbody tr').count()).toBeGreaterThan(2);
  await expect.poll(() => chartPoints(page, 'Loss of this run')).toBeGreaterThanOrEqual(MAX_STEPS);
  await expect.poll(() => chartPoints(page, 'learning rate of this run')).toBeGreaterThanOrEqual(MAX_STEPS);
  await screenshot(page, '6-run-detail');
  expect(await overflowsHorizontally(page)).toBe(false);
}

describe('PEFT Lab in a browser (web mode)', () => {
  it('registers, previews, builds a 2×2 grid, trains it live, and survives a reload', async () => {
    await registerModelAndData();
    await previewExample();
    await buildGrid();
    await checkPreflight();
    const { hash, points } = await trainLive();
    await checkAfterReload(hash, points);
    await checkRunDetail();
    expect(browser.errors).toEqual([]);

    // The host goes away: the app says so.
    await served.stop();
    await page.getByRole('alert').filter({ hasText: 'Lost the connection to the host' }).waitFor({ timeout: 30_000 });
    await screenshot(page, '7-connection-lost', false);
  });
});
