// Waiting for the page's performance marks without adding work to the page: one evaluation that a
// PerformanceObserver resolves (polling would run a script on the page's main thread every few ms, inside the very
// interval being timed). A string, because these files are type-checked without the DOM library.
import type { Page } from 'playwright-core';

export interface MarkEntry {
  startTime: number;
  detail: { points: number; lines: number };
}

/** Resolves with every mark named `name` once the document holds at least `n` of them. */
export async function waitForMarks(page: Page, name: string, n = 1, timeoutMs = 60_000): Promise<MarkEntry[]> {
  const wait = page.evaluate<MarkEntry[]>(`new Promise((resolve) => {
    const read = () => performance.getEntriesByName(${JSON.stringify(name)});
    const done = () => read().length >= ${n} && (resolve(read().map((e) => ({ startTime: e.startTime, detail: e.detail }))), true);
    if (done()) return;
    const observer = new PerformanceObserver(() => { if (done()) observer.disconnect(); });
    observer.observe({ type: 'mark' });
  })`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no mark ${name} #${n} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([wait, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
