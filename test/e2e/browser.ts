// Debian's Chromium driven by playwright-core: a fresh profile per test, the flags that work as root here, and
// small readers of what the app shows (screenshots, chart point counts, run statuses).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO } from './serve';

export const SCREENSHOTS = path.join(REPO, 'test-results', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, for the test to assert none happened. */
  errors: string[];
  close: () => Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1440, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  const close = async (): Promise<void> => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

/** A PNG under test-results/e2e/. `whole`: the window grows to show all of the (internally scrolling) workspace. */
export async function screenshot(page: Page, name: string, whole = true): Promise<Buffer> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  const viewport = page.viewportSize();
  const hidden = await page.evaluate<number>(`(() => { const m = document.querySelector('main.workspace'); return m ? m.scrollHeight - m.clientHeight : 0; })()`);
  if (!whole || !viewport || hidden <= 0) return page.screenshot({ path: file });
  await page.setViewportSize({ width: viewport.width, height: Math.min(viewport.height + hidden, 8000) });
  await page.waitForTimeout(150);
  try {
    return await page.screenshot({ path: file });
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Points drawn by the chart with this accessible name (the LineChart canvas carries the count). */
export async function chartPoints(page: Page, label: string): Promise<number> {
  const v = await page.getByRole('img', { name: label, exact: true }).locator('canvas').getAttribute('data-points');
  return Number(v ?? 0);
}

/** data-status of every row of the runs table. */
export async function runStatuses(page: Page): Promise<string[]> {
  return page.locator('table[aria-label="Runs"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status') ?? ''));
}

/** Host round-trip times the app measured with its heartbeat (sidebar data attributes), in ms. */
export async function hostLatency(page: Page): Promise<{ p50: number; max: number } | null> {
  const foot = page.locator('[data-connection]');
  const p50 = await foot.getAttribute('data-rtt-p50');
  const max = await foot.getAttribute('data-rtt-max');
  return p50 && max ? { p50: Number(p50), max: Number(max) } : null;
}

/** Whether the document scrolls sideways (a table or label overflowing the layout). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // A string, because this file is type-checked without the DOM library.
  return page.evaluate<boolean>(`(() => {
    const main = document.querySelector('main.workspace');
    return document.documentElement.scrollWidth > window.innerWidth + 1 || (main !== null && main.scrollWidth > main.clientWidth + 1);
  })()`);
}
