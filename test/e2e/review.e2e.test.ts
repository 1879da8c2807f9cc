// Review in a browser (web mode): after a small 2×2 sweep on the tiny model, add review prompts (typed and from
// the validation split), generate, and find every run's output for every prompt plus the base model's; show word
// differences against the base model; rate outputs and run a blind pairwise session by keyboard; both survive a
// reload; the summary table and its per-axis view reflect them; the CSV export downloads and parses.
// Screenshots: test-results/e2e/review-*.png.
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { overflowsHorizontally, runStatuses, screenshot } from './browser';
import { buildGrid, previewCustomTemplate, registerModelAndData } from './flows';
import type { Session } from './session';
import { useSession } from './session';

const RUNS = 4;
const COLUMNS = RUNS + 1; // and the base model
const TYPED = ['Add 2 and 2.', 'Say good night.'];

const S = useSession('peft-lab-e2e-review-');
const fail = (message: string): never => S.fail(message);
let page: Page;
let served: Session['served'];
let browser: Session['browser'];
let files: Session['files'];
beforeAll(() => ({ page, served, browser, files } = S));

/** RFC 4180 rows, read by an independent parser (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text) as string[][];

async function trainSmallSweep(): Promise<void> {
  await registerModelAndData(page, served.url, files);
  await previewCustomTemplate(page);
  await buildGrid(page, { name: 'e2e review', maxSteps: 12, learningRate: 0.01 });
  const rows = page.locator('table[aria-label="Pre-flight"] tbody tr');
  await expect.poll(async () => (await rows.count()) === RUNS && !(await page.getByText('checking…').isVisible()), { timeout: 120_000 }).toBe(true);
  await page.getByRole('button', { name: 'Launch sweep' }).click();
  await expect.poll(() => page.url()).toMatch(/#\/sweeps\/\d+$/);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const statuses = await runStatuses(page);
    if (statuses.length === RUNS && statuses.every((s) => s === 'finished')) return;
    if (statuses.some((s) => ['failed', 'interrupted', 'stopped'].includes(s)) || Date.now() > deadline) fail(`runs did not finish: ${statuses.join(', ')}`);
    await page.waitForTimeout(250);
  }
}

async function addPromptsAndGenerate(): Promise<number> {
  await page.getByRole('link', { name: 'Review', exact: true }).click();
  await expect.poll(() => page.url()).toMatch(/#\/review/);
  await page.getByLabel('New review prompts').fill(TYPED.join('\n'));
  await page.getByRole('button', { name: 'Add prompts' }).click();
  await expect.poll(() => page.getByRole('list', { name: 'Review prompts' }).locator('li').count()).toBe(2);
  await page.getByRole('button', { name: 'Pick from validation data' }).click();
  await page.getByRole('list', { name: 'Validation examples' }).waitFor();
  const picked = await page.getByRole('list', { name: 'Validation examples' }).locator('li').count();
  expect(picked).toBeGreaterThan(0);
  await page.getByRole('button', { name: /^Add \d+ selected$/ }).click();
  const prompts = 2 + picked;
  await expect.poll(() => page.getByRole('list', { name: 'Review prompts' }).locator('li').count()).toBe(prompts);
  expect(await page.getByRole('list', { name: 'Review prompts' }).innerText()).toContain('ref:'); // the dataset's response came along

  await page.getByRole('button', { name: 'Generate outputs' }).click();
  const matrix = page.getByRole('grid', { name: 'Generation matrix' });
  await expect.poll(() => matrix.locator('td[data-sample-id]').count(), { timeout: 300_000 }).toBe(prompts * COLUMNS);
  await page.getByRole('status', { name: 'Generation status' }).filter({ hasText: `Generated ${prompts * COLUMNS} outputs` }).waitFor();
  // Every run and the base model, for every prompt.
  const headers = await matrix.locator('thead th.col').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-column')));
  expect(headers).toHaveLength(COLUMNS);
  expect(headers[0]).toBe('base');
  expect(await matrix.locator('tbody tr').count()).toBe(prompts);
  for (const text of await matrix.locator('td [data-testid="output"]').allInnerTexts()) expect(text.length).toBeGreaterThan(0);
  return prompts;
}

async function showDifferences(): Promise<void> {
  const matrix = page.getByRole('grid', { name: 'Generation matrix' });
  expect(await matrix.locator('ins, del').count()).toBe(0);
  await page.getByLabel('Differences against').selectOption({ label: 'base model' });
  await expect.poll(() => matrix.locator('td ins, td del').count()).toBeGreaterThan(0);
  await page.getByLabel('Matrix layout').selectOption('axes');
  await expect.poll(() => matrix.locator('tr.groups th').allInnerTexts()).toEqual(['', '', 'all linear', 'attention q,v']);
  await screenshot(page, 'review-1b-matrix-by-axes', false);
  expect(await overflowsHorizontally(page)).toBe(false);
  await page.getByLabel('Matrix layout').selectOption('flat');
}

const cell = (column: string, prompt: number) => page.getByRole('gridcell', { name: `Output of ${column} on prompt ${prompt}`, exact: true });

async function rateByKeyboard(): Promise<string> {
  const first = cell('base model', 1);
  await first.locator('[data-testid="output"]').click();
  await page.keyboard.press('4');
  await page.keyboard.press('r');
  await expect.poll(() => first.getByRole('button', { name: '4', exact: true }).getAttribute('aria-pressed')).toBe('true');
  await expect.poll(() => first.getByRole('button', { name: 'repetition' }).getAttribute('aria-pressed')).toBe('true');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await page.getByLabel('Note on this output').fill('terse, misses the point');
  await page.keyboard.press('Enter');
  const second = page.locator('td.selected');
  const label = (await second.getAttribute('aria-label'))!.replace(/^Output of /, '').replace(/ on prompt 1$/, '');
  await expect.poll(() => second.getByRole('button', { name: '2', exact: true }).getAttribute('aria-pressed')).toBe('true');
  await second.getByText('terse, misses the point').waitFor();
  await screenshot(page, 'review-1-matrix');
  expect(await overflowsHorizontally(page)).toBe(false);
  return label;
}

const VERDICT_KEYS = ['ArrowLeft', 'ArrowRight', 't', 'ArrowLeft', 's', 'ArrowRight'];

async function pairwiseByKeyboard(): Promise<void> {
  await page.getByRole('link', { name: 'Blind pairwise' }).click();
  await page.getByLabel('Rater name').fill('e2e rater');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('region', { name: 'Left output' }).waitFor();
  const body = await page.locator('main.workspace').innerText();
  expect(body).not.toMatch(/lora · r=/); // blind: no run is named
  for (const [i, key] of VERDICT_KEYS.entries()) {
    await page.keyboard.press(key);
    await page.getByText(`${i + 1} judged by you`).waitFor();
  }
  await screenshot(page, 'review-2-pairwise');
  expect(await overflowsHorizontally(page)).toBe(false);
}

async function checkAfterReload(ratedSecond: string): Promise<void> {
  await page.reload();
  await page.getByText(`${VERDICT_KEYS.length} judged by you`).waitFor();
  await page.getByRole('link', { name: 'Outputs' }).click();
  await expect.poll(() => cell('base model', 1).getByRole('button', { name: '4', exact: true }).getAttribute('aria-pressed')).toBe('true');
  expect(await cell(ratedSecond, 1).getByRole('button', { name: '2', exact: true }).getAttribute('aria-pressed')).toBe('true');
  await cell(ratedSecond, 1).getByText('terse, misses the point').waitFor();
}

async function checkSummaryAndExport(prompts: number): Promise<void> {
  await page.getByRole('link', { name: 'Summary' }).click();
  const table = page.getByRole('table', { name: 'Study summary' });
  await expect.poll(() => table.locator('tbody tr').count()).toBe(COLUMNS);
  expect(await table.locator('tr[data-row="base"] td[data-col="rating"]').innerText()).toBe('4.00 (1)');
  const pairwise = await table.locator('td[data-col="pairwise"]').allInnerTexts();
  const records = pairwise.map((t) => /\((\d+)–(\d+)–(\d+)\)/.exec(t)).filter((m): m is RegExpExecArray => m !== null).map((m) => m.slice(1).map(Number));
  const decided = VERDICT_KEYS.filter((k) => k.startsWith('Arrow')).length;
  expect(records.reduce((n, r) => n + r[0], 0)).toBe(decided);
  expect(records.reduce((n, r) => n + r[2], 0)).toBe(2); // one tie counts for both sides
  await page.getByRole('region', { name: 'Axis r' }).waitFor();
  await page.getByRole('region', { name: 'Axis targets' }).waitFor();
  expect(await page.getByRole('table', { name: 'Effects of r' }).getByRole('row').filter({ hasText: 'mean rating' }).innerText()).toContain('2.00');
  expect(await page.getByLabel('Position bias').innerText()).toMatch(new RegExp(`${VERDICT_KEYS.length} judgements by e2e rater`));
  await table.getByRole('button', { name: /Rating/ }).click(); // sort by rating, descending
  expect(await table.locator('tbody tr').first().getAttribute('data-row')).toBe('base');
  await screenshot(page, 'review-3-summary');
  expect(await overflowsHorizontally(page)).toBe(false);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^e2e-review-\d+-summary\.csv$/);
  const rows = parseCsv(fs.readFileSync((await download.path())!, 'utf8'));
  expect(rows).toHaveLength(COLUMNS + 1);
  const head = rows[0];
  expect(rows.slice(1).map((r) => r[head.indexOf('run')])).toContain('base model');
  expect(rows.find((r) => r[0] === 'base model')![head.indexOf('mean_rating')]).toBe('4');
  expect(rows.slice(1).every((r) => r[head.indexOf('example_output')] !== '')).toBe(true);
  expect(prompts).toBeGreaterThan(2);
}

describe('review in a browser (web mode)', () => {
  it('generates every output, diffs, rates and judges by keyboard, persists, summarises and exports', async () => {
    try {
      await trainSmallSweep();
      const prompts = await addPromptsAndGenerate();
      await showDifferences();
      const second = await rateByKeyboard();
      await pairwiseByKeyboard();
      await checkAfterReload(second);
      await checkSummaryAndExport(prompts);
    } catch (e) {
      await screenshot(page, 'review-failure', false).catch(() => undefined);
      throw e;
    }
    expect(browser.errors).toEqual([]);
  });
});
