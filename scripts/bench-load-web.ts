// The renderer's side of the load benchmark (bench-load.ts): `peft-lab serve` on the seeded store, Debian's
// Chromium on the app. Times (medians of page reloads or in-app navigations): the 500-run sweep's page until its
// runs table shows rows and until its loss chart first draws, and the study summary tab until its table shows.
// Memory: the page's JS heap (CDP Performance.getMetrics, JSHeapUsedSize) after a forced garbage collection, with
// each view open, and the DOM node count. Needs `npm run build` (done when the renderer is stale).
import type { CDPSession, Page } from 'playwright-core';
import { openBrowser } from '../test/e2e/browser';
import { waitForMarks } from '../test/e2e/marks';
import { ensureRendererBuilt, startServe } from '../test/e2e/serve';
import type { LoadStore } from './bench-load-seed';

const CHART_MARK = 'chart-first-draw:Loss of every run in the sweep';
const RUN_ROWS = 'table[aria-label="Runs"] tbody tr';
const SUMMARY_ROWS = 'table[aria-label="Study summary"] tbody tr';

export interface HeapFigure {
  view: string;
  /** JS heap in use after a forced GC, MB. */
  heapMb: number;
  domNodes: number;
}

export interface WebLoadFigures {
  /** ms from navigation start until the runs table has rows / the loss chart drew, medians of the reloads. */
  runsTableMs: number;
  chartMs: number;
  chartPoints: number;
  tableRows: number;
  /** ms from the hash change to the summary table's rows, median of in-app navigations. */
  summaryMs: number;
  heaps: HeapFigure[];
  maxHeapMb: number;
  n: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * performance.now() in the page once `selector` matches something, checked each frame. One evaluation (the page's
 * CSP refuses the eval behind Playwright's waitForFunction with a string).
 */
function whenShown(page: Page, selector: string, timeoutMs = 120_000): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve, reject) => {
    const until = performance.now() + ${timeoutMs};
    const check = () => {
      if (document.querySelector(${JSON.stringify(selector)})) resolve(performance.now());
      else if (performance.now() > until) reject(new Error('nothing matched ' + ${JSON.stringify(selector)}));
      else requestAnimationFrame(check);
    };
    check();
  })`);
}

async function heap(cdp: CDPSession, page: Page, view: string): Promise<HeapFigure> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  void page;
  return { view, heapMb: get('JSHeapUsedSize') / 2 ** 20, domNodes: get('Nodes') };
}

export async function benchLoadWeb(store: LoadStore, repeats = 3): Promise<WebLoadFigures> {
  ensureRendererBuilt();
  const served = await startServe(store.dataDir, 120_000);
  const browser = await openBrowser();
  try {
    const page = browser.page;
    page.setDefaultTimeout(120_000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const sweepUrl = `${served.url}#/sweeps/${store.bigSweepId}`;
    const tables: number[] = [];
    const charts: number[] = [];
    let chartPoints = 0;
    for (let i = 0; i <= repeats; i++) {
      if (i === 0) await page.goto(sweepUrl);
      else await page.reload();
      const [t, [m]] = await Promise.all([whenShown(page, RUN_ROWS), waitForMarks(page, CHART_MARK, 1, 120_000)]);
      if (i > 0) {
        tables.push(t);
        charts.push(m.startTime);
      }
      chartPoints = m.detail.points;
    }
    const tableRows = await page.locator(RUN_ROWS).count();
    const heaps = [await heap(cdp, page, 'app + 500-run sweep (runs table, loss chart)')];
    const summaries: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      await page.evaluate(`location.hash = '#/models'`);
      await page.getByRole('button', { name: 'Register model' }).waitFor();
      const t0 = await page.evaluate<number>(`(() => { const t = performance.now(); location.hash = '#/review/${store.bigSweepId}/summary'; return t; })()`);
      const t1 = await whenShown(page, SUMMARY_ROWS);
      if (i > 0) summaries.push(t1 - t0);
    }
    heaps.push(await heap(cdp, page, 'after the study summary'));
    await page.evaluate(`location.hash = '#/sweeps/${store.bigSweepId}'`);
    await whenShown(page, RUN_ROWS);
    heaps.push(await heap(cdp, page, 'back on the sweep'));
    return {
      runsTableMs: median(tables), chartMs: median(charts), chartPoints, tableRows, summaryMs: median(summaries), heaps,
      maxHeapMb: Math.max(...heaps.map((h) => h.heapMb)), n: repeats,
    };
  } finally {
    await browser.close();
    await served.stop();
  }
}

export function describeWeb(w: WebLoadFigures, heapTargetMb: number): string {
  return [
    `  renderer (Chromium, medians of ${w.n}): sweep page runs table ${w.runsTableMs.toFixed(0)} ms (${w.tableRows} rows in the DOM), ` +
      `loss chart first draw ${w.chartMs.toFixed(0)} ms (${w.chartPoints.toLocaleString('en-US')} points), study summary ${w.summaryMs.toFixed(0)} ms after navigation`,
    `  renderer JS heap after GC: ${w.heaps.map((h) => `${h.view} ${h.heapMb.toFixed(1)} MB (${h.domNodes} DOM nodes)`).join('; ')}; ` +
      `max ${w.maxHeapMb.toFixed(1)} MB, target < ${heapTargetMb} MB: ${w.maxHeapMb < heapTargetMb ? 'PASS' : 'MISS'}`,
  ].join('\n');
}
