// How long the sweep's loss chart takes to show its first view, shared by test/e2e/chart-load.e2e.test.ts and
// scripts/bench-ui.ts: a data folder seeded with a large finished sweep (seed-large.ts), `peft-lab serve` on it,
// Chromium on the sweep's page. The LineChart marks its first draw with points (performance mark
// "chart-first-draw:<label>"); a page load is timed from its navigation start (the mark's startTime), an in-app
// navigation from the moment the hash changes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Browser } from './browser';
import { openBrowser } from './browser';
import type { LargeSweep, LargeSweepOptions } from './seed-large';
import { seedLargeSweep } from './seed-large';
import type { Served } from './serve';
import { ensureRendererBuilt, startServe } from './serve';
import { waitForMarks } from './marks';
import type { MainThreadCpu } from './trace-cpu';
import { mainThreadCpuUntil } from './trace-cpu';

export const SWEEP_CHART = 'Loss of every run in the sweep';
const MARK = `chart-first-draw:${SWEEP_CHART}`;

export interface LargeSweepSession {
  seeded: LargeSweep;
  served: Served;
  browser: Browser;
  page: Page;
  /** The app's address on the sweep's page. */
  sweepUrl: string;
  close: () => Promise<void>;
}

/** Seeds a temporary data folder, serves it and opens Chromium (not yet on any page). */
export async function openLargeSweep(o: LargeSweepOptions = {}): Promise<LargeSweepSession> {
  ensureRendererBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-chart-load-'));
  let served: Served | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await served?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const dataDir = path.join(root, 'data');
    const seeded = seedLargeSweep(dataDir, o);
    served = await startServe(dataDir);
    browser = await openBrowser();
    browser.page.setDefaultTimeout(60_000);
    return { seeded, served, browser, page: browser.page, sweepUrl: `${served.url}#/sweeps/${seeded.sweepId}`, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface FirstDraw {
  /** ms from the start (navigation start or hash change) to the chart's first draw with points. */
  ms: number;
  /** Points and lines of that first draw. */
  points: number;
  lines: number;
}

/** Loads (first) or reloads (then) the sweep's page: ms from navigation start to the chart's first draw. */
export async function timePageLoad(page: Page, url: string, first: boolean): Promise<FirstDraw> {
  if (first) await page.goto(url);
  else await page.reload();
  const [m] = await waitForMarks(page, MARK, 1);
  return { ms: m.startTime, points: m.detail.points, lines: m.detail.lines };
}

/** From another screen of the loaded app to the sweep's page (a hash change, as a click on its link does). */
export async function timeInAppNavigation(page: Page, sweepId: number): Promise<FirstDraw> {
  await page.evaluate(`location.hash = '#/models'`);
  await page.getByRole('button', { name: 'Register model' }).waitFor();
  const before = (await page.evaluate<number>(`performance.getEntriesByName(${JSON.stringify(MARK)}).length`));
  const t0 = await page.evaluate<number>(`(() => { const t = performance.now(); location.hash = '#/sweeps/${sweepId}'; return t; })()`);
  const all = await waitForMarks(page, MARK, before + 1);
  const m = all[all.length - 1];
  return { ms: m.startTime - t0, points: m.detail.points, lines: m.detail.lines };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface ChartLoadFigures {
  /** Page loads: the first (cold) and the reloads after it. */
  loads: FirstDraw[];
  /** In-app navigations to the sweep's page. */
  navigations: FirstDraw[];
  /** Median of the page loads after the first (cold) one. */
  reloadMedianMs: number;
  navigationMedianMs: number;
  /** Traced reloads: the page's main-thread CPU up to the first draw (see trace-cpu.ts). */
  traced: MainThreadCpu[];
  mainThreadCpuMedianMs: number;
  /** The machine's 1-minute load average when the measurement ended (other people's work included). */
  loadAverage: number;
}

/** `repeats` reloads after a first load, `repeats` in-app navigations, then 3 traced reloads; medians of each. */
export async function measureChartLoad(s: LargeSweepSession, repeats = 5): Promise<ChartLoadFigures> {
  const loads: FirstDraw[] = [];
  for (let i = 0; i <= repeats; i++) loads.push(await timePageLoad(s.page, s.sweepUrl, i === 0));
  const navigations: FirstDraw[] = [];
  for (let i = 0; i < repeats; i++) navigations.push(await timeInAppNavigation(s.page, s.seeded.sweepId));
  await timePageLoad(s.page, s.sweepUrl, false);
  const traced: MainThreadCpu[] = [];
  for (let i = 0; i < 3; i++) traced.push(await mainThreadCpuUntil(s.page, MARK));
  return {
    loads, navigations, traced,
    reloadMedianMs: median(loads.slice(1).map((l) => l.ms)),
    navigationMedianMs: median(navigations.map((l) => l.ms)),
    mainThreadCpuMedianMs: median(traced.map((t) => t.cpuMs)),
    loadAverage: os.loadavg()[0],
  };
}

export function describeFigures(f: ChartLoadFigures): string {
  const ms = (d: FirstDraw) => d.ms.toFixed(0);
  return `sweep loss chart, first view: page load median ${f.reloadMedianMs.toFixed(0)} ms (cold ${ms(f.loads[0])}; reloads ${f.loads.slice(1).map(ms).join(', ')}), ` +
    `in-app navigation median ${f.navigationMedianMs.toFixed(0)} ms (${f.navigations.map(ms).join(', ')}); ` +
    `page main thread ${f.mainThreadCpuMedianMs.toFixed(0)} ms CPU until drawn (${f.traced.map((t) => t.cpuMs.toFixed(0)).join(', ')}); ` +
    `${f.loads[0].points} points in ${f.loads[0].lines} lines; load average ${f.loadAverage.toFixed(1)} on ${os.cpus().length} cores`;
}
