// How much CPU the page's main thread spends before a performance mark, read from a Chromium trace of one page load
// (the thread time of each task, not its wall time). On a shared machine the wall time to a first view swings
// with everyone else's work; this figure does much less, so it says how far the page itself is from a target.
import type { Page } from 'playwright-core';
import { waitForMarks } from './marks';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
}

export interface MainThreadCpu {
  /** Thread (CPU) time of the main thread's tasks between navigation start and the mark, ms. */
  cpuMs: number;
  /** Wall time between the two, ms (tracing slows the page a little). */
  wallMs: number;
}

/** Reloads `page` under tracing and measures its main thread up to the first mark named `mark`. */
export async function mainThreadCpuUntil(page: Page, mark: string, timeoutMs = 60_000): Promise<MainThreadCpu> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  try {
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'blink.user_timing', 'disabled-by-default-devtools.timeline'] } });
    await page.reload();
    await waitForMarks(page, mark, 1, timeoutMs);
    await cdp.send('Tracing.end');
    await complete;
  } finally {
    await cdp.detach();
  }
  // The reload's first navigationStart (Chromium marks it again for the committed document, a few ms later), and
  // the first mark after it (a mark of the page before the reload may land in the trace too).
  const starts = events.filter((e) => e.name === 'navigationStart').map((e) => e.ts);
  if (starts.length === 0) throw new Error('the trace has no navigationStart');
  const start = Math.min(...starts);
  const end = events.filter((e) => e.name === mark && e.ts > start).sort((a, b) => a.ts - b.ts)[0];
  if (!end) throw new Error(`the trace has no mark ${mark} after the reload started`);
  const onMain = (e: TraceEvent) => e.pid === end.pid && e.tid === end.tid;
  let cpu = 0;
  for (const e of events) {
    if (!onMain(e) || e.name !== 'RunTask' || e.ph !== 'X' || e.ts < start || e.ts > end.ts) continue;
    const dur = e.dur ?? 0;
    // The task holding the mark counts up to the mark, in proportion.
    const share = e.ts + dur <= end.ts || dur === 0 ? 1 : (end.ts - e.ts) / dur;
    cpu += (e.tdur ?? 0) * share;
  }
  return { cpuMs: cpu / 1000, wallMs: (end.ts - start) / 1000 };
}
