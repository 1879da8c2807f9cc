// How long the sweep's loss chart takes to show its first view on a long history (issue #8, target 7): a store
// seeded with one finished sweep of 8 runs × 100,000 training-loss points each, `peft-lab serve` on it, Debian's
// Chromium on the sweep's page (the same measurement as test/e2e/chart-load.e2e.test.ts). The figure is the
// median time from navigation start to the chart's first draw over several reloads, against 300 ms; also printed:
// the cold first load, in-app navigation to the page, and the page's main-thread CPU until drawn (which depends
// much less on what else the machine is doing). Needs `npm run build` (done when the renderer is stale).
import type { ChartLoadFigures } from '../test/e2e/chart-load';
import { describeFigures, measureChartLoad, openLargeSweep } from '../test/e2e/chart-load';

export const UI_TARGET_MS = 300;

export interface UiBench extends ChartLoadFigures {
  runs: number;
  pointsPerRun: number;
  targetMs: number;
  pass: boolean;
}

export async function benchUi(repeats = 5): Promise<UiBench> {
  const session = await openLargeSweep({ steps: 100_000, evalEvery: 1000 });
  try {
    const figures = await measureChartLoad(session, repeats);
    return { ...figures, runs: session.seeded.runIds.length, pointsPerRun: session.seeded.steps, targetMs: UI_TARGET_MS, pass: figures.reloadMedianMs < UI_TARGET_MS };
  } finally {
    await session.close();
  }
}

/** One line: the median, PASS or MISS against the target, and the figures behind it. */
export function describeUiBench(b: UiBench): string {
  return `UI, loss chart of ${b.runs} runs × ${b.pointsPerRun.toLocaleString('en-US')} points: first view ${b.reloadMedianMs.toFixed(0)} ms median ` +
    `(target < ${b.targetMs} ms: ${b.pass ? 'PASS' : 'MISS'}); ${describeFigures(b)}`;
}

if (process.argv[1]?.endsWith('bench-ui.ts')) {
  const b = await benchUi();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(b, null, 2)}\n`);
  else console.log(describeUiBench(b));
}
