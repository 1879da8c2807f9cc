// Getting a model in from the Hugging Face Hub, in a browser: a fake Hub on 127.0.0.1 (test/hub/fake-hub.ts,
// paced so the progress bar shows) is the endpoint of `peft-lab serve` (HF_ENDPOINT, a private HF_HUB_CACHE). The
// person types the repo id, checks the files and total size, downloads with the progress bar, finds the model in
// the library, then trains a sweep on it and sees the runs make progress. Screenshots go to test-results/e2e/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHub, repoFromFolder } from '../hub/fake-hub';
import { overflowsHorizontally, runStatuses, screenshot } from './browser';
import { writeFixtures } from './fixtures';
import { buildGrid, previewCustomTemplate } from './flows';
import { useSession } from './session';

const hub = new FakeHub();
const TOKEN = 'hf_e2eReadToken42';
const hubRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-hub-e2e-'));
const saved = { endpoint: process.env.HF_ENDPOINT, cache: process.env.HF_HUB_CACHE, token: process.env.HF_TOKEN };

// Before the session's own hook, so the served host inherits the endpoint and cache.
beforeAll(async () => {
  const { modelDir } = await writeFixtures(path.join(hubRoot, 'published'));
  hub.repos.set('tiny/llama', repoFromFolder(modelDir, { 'README.md': '# tiny llama\n', 'pytorch_model.bin': Buffer.alloc(2000, 1) }));
  hub.repos.set('tiny/gated', { ...repoFromFolder(modelDir), gated: true, tokens: new Set([TOKEN]) });
  hub.faults.throttle = { chunk: 2048, delayMs: 40 }; // ~150 KB of weights over ~3 s
  await hub.start();
  process.env.HF_ENDPOINT = hub.url;
  process.env.HF_HUB_CACHE = path.join(hubRoot, 'hf-cache');
  delete process.env.HF_TOKEN;
});
afterAll(async () => {
  await hub.stop();
  fs.rmSync(hubRoot, { recursive: true, force: true });
  for (const [k, v] of Object.entries({ HF_ENDPOINT: saved.endpoint, HF_HUB_CACHE: saved.cache, HF_TOKEN: saved.token })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const S = useSession('peft-lab-hub-e2e-');

describe('a model from the Hugging Face Hub', () => {
  it('is downloaded through the UI with a progress bar, registered, and trained on', async () => {
    const { page, served, files } = S;
    await page.goto(served.url);
    await expect.poll(() => page.url()).toMatch(/#\/models$/);
    await page.getByText('connected', { exact: true }).waitFor();

    // A gated model: the Hub's 401 becomes a request for a token, and the token opens it.
    await page.getByLabel('Hub repo id').fill('tiny/gated');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'config.json of tiny/gated@main needs a token: the model is gated or private' }).waitFor();
    const tokenBox = page.getByLabel(/Hugging Face token \(read access\) · kept in memory for this session/);
    await tokenBox.fill(TOKEN);
    await screenshot(page, 'hub-0-token-asked');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByLabel('Download plan').filter({ hasText: 'tiny/gated@main' }).waitFor();
    expect(await page.getByLabel('Download plan').innerText()).toContain('gated');
    expect(hub.log.some((l) => l.path.startsWith('/tiny/gated/resolve/') && l.token === TOKEN)).toBe(true);

    await page.getByLabel('Hub repo id').fill('tiny/llama');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const plan = page.getByLabel('Download plan');
    await plan.waitFor();
    const planText = await plan.innerText();
    expect(planText).toContain('tiny/llama@main');
    expect(planText).toMatch(/4 files · [\d.]+ KiB/);
    for (const f of ['config.json', 'tokenizer_config.json', 'tokenizer.json', 'model.safetensors']) expect(planText).toContain(f);
    expect(planText).not.toContain('pytorch_model.bin');
    expect(planText).toContain('not needed: 2 files');

    await page.getByRole('button', { name: /^Download [\d.]+ KiB$/ }).click();
    const bar = page.getByRole('progressbar', { name: 'Download progress' });
    await bar.waitFor();
    // The weights come in paced chunks: the bar shows bytes, speed and time left while they do.
    await expect.poll(() => bar.innerText(), { timeout: 30_000 }).toMatch(/downloading\s+model\.safetensors\s+·\s+[\d.]+ (B|KiB)\/s\s+·\s+ETA \d/);
    const partway = Number(await bar.getAttribute('aria-valuenow'));
    expect(partway).toBeGreaterThan(0);
    expect(partway).toBeLessThan(Number(await bar.getAttribute('aria-valuemax')));
    await screenshot(page, 'hub-1-downloading');
    await page.getByRole('status').filter({ hasText: 'Registered “tiny/llama”' }).waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe(await bar.getAttribute('aria-valuemax'));
    const row = page.getByRole('table', { name: 'Models' }).locator('tbody tr').filter({ hasText: 'tiny/llama' });
    await row.waitFor();
    const rowText = await row.innerText();
    for (const s of ['weights', 'llama', 'F32', 'H 32 · 2 layers', 'q_proj', 'unchanged']) expect(rowText).toContain(s);
    await screenshot(page, 'hub-2-registered');
    expect(await overflowsHorizontally(page)).toBe(false);
    // Only the files a run needs came over the wire.
    expect(hub.log.some((l) => l.path.endsWith('/pytorch_model.bin') || l.path.endsWith('/README.md'))).toBe(false);

    await page.getByLabel('Dataset file path').fill(files.datasetPath);
    await page.getByRole('button', { name: 'Register dataset' }).click();
    await page.getByRole('table', { name: 'Datasets' }).getByText('tiny-instructions.jsonl').waitFor();
    await page.getByLabel('Model (tokenizer)').selectOption({ label: 'tiny/llama' });
    await previewCustomTemplate(page);
    await buildGrid(page, { name: 'hub model', maxSteps: 12 });
    const rows = page.locator('table[aria-label="Pre-flight"] tbody tr');
    await expect.poll(async () => (await rows.count()) === 4 && !(await page.getByText('checking…').isVisible()), { timeout: 120_000 }).toBe(true);
    await page.getByRole('button', { name: 'Launch sweep' }).click();
    try {
      await expect.poll(() => page.url(), { timeout: 60_000 }).toMatch(/#\/sweeps\/\d+$/);
    } catch {
      await screenshot(page, 'hub-launch-failed');
      S.fail(`the sweep did not launch; the page says: ${(await page.getByRole('alert').allInnerTexts()).join(' | ')}`);
    }
    await expect.poll(async () => (await runStatuses(page)).some((s) => s === 'running' || s === 'finished'), { timeout: 120_000 }).toBe(true);
    await expect.poll(async () => page.locator('table[aria-label="Runs"] tbody tr[data-status="running"], table[aria-label="Runs"] tbody tr[data-status="finished"]').first().innerText(), { timeout: 120_000 }).toMatch(/\b([3-9]|1[0-2]) \/ 12\b/);
    await screenshot(page, 'hub-3-training');
    expect(S.browser.errors).toEqual([]);
  });
});
