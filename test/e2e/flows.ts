// Steps the end-to-end tests share, as a person does them in the app: register the tiny model and dataset (beside
// the embedded demo a first run registers), preview the custom template, and build a 2×2 LoRA grid (r 2, 4 ×
// attention q,v, all linear).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { PROMPT_TEMPLATE, RECORDS, RESPONSE_TEMPLATE } from './fixtures';

export async function registerModelAndData(page: Page, url: string, files: { modelDir: string; datasetPath: string }): Promise<void> {
  await page.goto(url);
  await expect.poll(() => page.url()).toMatch(/#\/models$/);
  await page.getByText('connected', { exact: true }).waitFor();
  await page.getByLabel('Model folder path').fill(files.modelDir);
  await page.getByRole('button', { name: 'Register model' }).click();
  const models = page.getByRole('table', { name: 'Models' });
  await models.getByText('tiny-llama').waitFor();
  // The row of this model (a first run also registers the embedded demo model).
  const modelRow = await models.locator('tbody tr').filter({ hasText: 'tiny-llama' }).innerText();
  for (const s of ['weights', 'llama', 'F32', 'H 32 · 2 layers', 'q_proj', 'down_proj']) expect(modelRow).toContain(s);
  await page.getByLabel('Dataset file path').fill(files.datasetPath);
  await page.getByRole('button', { name: 'Register dataset' }).click();
  const datasets = page.getByRole('table', { name: 'Datasets' });
  await datasets.getByText('tiny-instructions.jsonl').waitFor();
  const dataRow = await datasets.locator('tbody tr').filter({ hasText: 'tiny-instructions.jsonl' }).innerText();
  expect(dataRow).toContain(String(RECORDS.length));
  expect(dataRow).toContain('instruction, output');
}

/** Chooses the custom template "Q: {instruction}\nA: " → "{output}" and previews it. */
export async function previewCustomTemplate(page: Page): Promise<void> {
  await page.getByLabel('Template', { exact: true }).selectOption('custom');
  await page.getByLabel('Prompt template').fill(PROMPT_TEMPLATE);
  await page.getByLabel('Response template').fill(RESPONSE_TEMPLATE);
  await page.getByLabel('Max length').fill('128');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await page.getByLabel('Prompt of record 0').waitFor();
}

async function toggle(page: Page, group: string, name: string): Promise<void> {
  await page.getByRole('group', { name: group, exact: true }).getByRole('button', { name, exact: true }).click();
}

/** From the preview to a 2×2 grid in the sweep builder (r 2, 4 × attention q,v, all linear; 32-bit LoRA). */
export async function buildGrid(page: Page, o: { name: string; maxSteps: number; learningRate?: number }): Promise<void> {
  await page.getByRole('button', { name: 'Use in a new sweep' }).click();
  await expect.poll(() => page.url()).toMatch(/#\/sweeps\/new$/);
  await page.getByLabel('Sweep name').fill(o.name);
  await page.getByLabel('Max steps').fill(String(o.maxSteps));
  await page.getByLabel('Batch size').fill('4');
  await page.getByLabel('Eval every').fill('10');
  if (o.learningRate !== undefined) await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).fill(String(o.learningRate));
  expect(await page.getByLabel('Max length').inputValue()).toBe('128');
  for (const r of ['r 8', 'r 16']) await toggle(page, 'r', r);
  for (const r of ['r 2', 'r 4']) await toggle(page, 'r', r);
  await toggle(page, 'targets', 'all linear');
  expect(await page.getByRole('group', { name: 'bits' }).getByRole('button', { pressed: true }).allInnerTexts()).toEqual(['32-bit']);
  expect(await page.getByRole('group', { name: 'method' }).getByRole('button', { pressed: true }).allInnerTexts()).toEqual(['lora']);
  await page.getByText('Grid: 4 cells').waitFor();
}
