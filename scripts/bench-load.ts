// `npm run bench -- --only load` (issue #9, "Load"): how the app holds up on a store of 1,000 finished runs ×
// 10,000 metric points (scripts/bench-load-seed.ts, about 10 million rows). Host side, in process, through the
// same typed client the renderer uses (figures are medians of several, the cold first one shown apart):
//   app open       host start (open + migrate the store, scheduler) and the first page's data: sweeps/list,
//                  models/list, datasets/list, settings/get, then sweeps/get of the newest sweep (500 runs)
//   runs list      runs/list of every run, and sweeps/get of the 500-run sweep
//   chart window   metrics/series (train and validation loss) of the runs the sweep's loss chart draws: the page of
//                  50 runs the table shows; also the whole 500-run sweep in one request, as a chart asked before
//   summary        review/summary of the 500-run sweep (8 prompts, 4,008 outputs, 2,000 judgements)
// Then the renderer in Chromium (bench-load-web.ts): time to each view and the JS heap after opening them.
// Not in the default bench set: the first seeding takes about half a minute and the whole section over two.
import * as os from 'node:os';
import type { MetricSeries } from '../src-shared/protocol/api';
import type { HostClient } from '../src-shared/protocol/client';
import { RUNS_PER_PAGE } from '../src-renderer/features/runs/paging';
import { startHost } from '../test/host/helpers';
import type { LoadStore } from './bench-load-seed';
import { loadStore } from './bench-load-seed';
import type { WebLoadFigures } from './bench-load-web';
import { benchLoadWeb, describeWeb } from './bench-load-web';

export const LOAD_TARGETS_MS = { appOpen: 1000, runsList: 200, chartWindow: 300, summary: 500 } as const;
export const HEAP_TARGET_MB = 150;

export interface Timing {
  /** The first (cold) measurement. */
  firstMs: number;
  /** Median of the repeats after the first. */
  medianMs: number;
  /** CPU time of this process (host and client, in process) for the first and the median repeat: what the work
   * costs whatever else the machine is doing, unlike wall time on a shared 2-core box. */
  firstCpuMs: number;
  medianCpuMs: number;
  n: number;
  /** Bytes of the answer as JSON (what the WebSocket carries). */
  bytes: number;
}

export interface LoadBench {
  store: Omit<LoadStore, 'layout'>;
  appOpen: Timing & { hostStartMs: number };
  runsList: Timing;
  sweepRuns: Timing;
  chartWindow: Timing & { series: number; points: number };
  wholeSweepSeries: Timing & { series: number; points: number };
  summary: Timing;
  web: WebLoadFigures | { error: string };
  loadAverage: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `fn` 1 + `repeats` times; the first is reported apart (cold caches), the median over the rest. */
async function time<T>(repeats: number, fn: () => Promise<T>): Promise<Timing & { last: T }> {
  const ms: number[] = [];
  const cpu: number[] = [];
  let last: T | undefined;
  for (let i = 0; i <= repeats; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    last = await fn();
    const c = process.cpuUsage(c0);
    ms.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return {
    firstMs: ms[0], medianMs: median(ms.slice(1)), firstCpuMs: cpu[0], medianCpuMs: median(cpu.slice(1)), n: repeats,
    bytes: JSON.stringify(last).length, last: last as T,
  };
}

function seriesSize(out: MetricSeries[]): { series: number; points: number } {
  return { series: out.length, points: out.reduce((n, s) => n + s.points.length, 0) };
}

/** The data the app's first page asks for once connected (AppState.start, then the newest sweep's runs). */
async function firstPage(client: HostClient): Promise<unknown> {
  const [sweeps, models, datasets, settings] = await Promise.all([
    client.request('sweeps/list', {}), client.request('models/list', {}), client.request('datasets/list', {}), client.request('settings/get', {}),
  ]);
  const newest = sweeps.reduce((a, b) => (b.id > a.id ? b : a));
  const sweep = await client.request('sweeps/get', { id: newest.id });
  return { sweeps, models, datasets, settings, sweep };
}

export async function benchLoad(repeats = 5, web = true): Promise<LoadBench> {
  process.stderr.write('bench load: seeding (or reusing) 1,000 runs × 10,000 points…\n');
  const store = loadStore();
  const { layout: _layout, ...storeFigures } = store;
  const starts: number[] = [];
  const appOpen = await time(repeats, async () => {
    const t0 = performance.now();
    const h = await startHost(store.dataDir);
    starts.push(performance.now() - t0);
    try {
      return await firstPage(h.client);
    } finally {
      await h.close();
    }
  });
  const h = await startHost(store.dataDir);
  try {
    const c = h.client;
    const big = store.bigSweepId;
    const runsList = await time(repeats, () => c.request('runs/list', {}));
    const sweepRuns = await time(repeats, () => c.request('sweeps/get', { id: big }));
    const pageIds = (await c.request('sweeps/get', { id: big })).runs.map((r) => r.id).sort((a, b) => a - b).slice(0, RUNS_PER_PAGE);
    const chart = await time(repeats, () => c.request('metrics/series', { runIds: pageIds, names: ['train_loss', 'val_loss'], maxPoints: 1000 }));
    const whole = await time(repeats, () => c.request('metrics/series', { sweepId: big, names: ['train_loss', 'val_loss'], maxPoints: 1000 }));
    const summary = await time(repeats, () => c.request('review/summary', { sweepId: big }));
    const strip = <T extends { last: unknown }>(t: T): Omit<T, 'last'> => {
      const { last: _last, ...rest } = t;
      return rest;
    };
    const webFigures = web ? await benchLoadWeb(store).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) })) : { error: 'skipped (--no-web)' };
    return {
      store: storeFigures,
      appOpen: { ...strip(appOpen), hostStartMs: median(starts.slice(1)) },
      runsList: strip(runsList), sweepRuns: strip(sweepRuns),
      chartWindow: { ...strip(chart), ...seriesSize(chart.last) },
      wholeSweepSeries: { ...strip(whole), ...seriesSize(whole.last) },
      summary: strip(summary),
      web: webFigures,
      loadAverage: os.loadavg()[0],
    };
  } finally {
    await h.close();
  }
}

const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
function line(name: string, t: Timing, target: number, extra = ''): string {
  return `  ${name.padEnd(14)} ${t.medianMs.toFixed(1).padStart(8)} ms median, CPU ${t.medianCpuMs.toFixed(0)} ms (first ${t.firstMs.toFixed(1)} ms, CPU ` +
    `${t.firstCpuMs.toFixed(0)} ms; n=${t.n}, ${kb(t.bytes)})  target < ${target} ms: ${t.medianMs < target ? 'PASS' : 'MISS'}${extra}`;
}

export function printLoad(b: LoadBench): void {
  const s = b.store;
  console.log('');
  console.log(`load: ${s.runs.toLocaleString('en-US')} runs, ${s.metricRows.toLocaleString('en-US')} metric rows (${s.reused ? 'store reused' : `seeded in ${s.seedSeconds.toFixed(1)} s`}; ${s.dataDir})`);
  console.log(line('app open', b.appOpen, LOAD_TARGETS_MS.appOpen, `; of which host start ${b.appOpen.hostStartMs.toFixed(1)} ms`));
  console.log(line('runs list', b.runsList, LOAD_TARGETS_MS.runsList, ' (runs/list, all 1,000 runs)'));
  console.log(line('sweep runs', b.sweepRuns, LOAD_TARGETS_MS.runsList, ' (sweeps/get, 500 runs)'));
  const size = (x: { series: number; points: number }) => `${x.series} series, ${x.points.toLocaleString('en-US')} points`;
  console.log(line('chart window', b.chartWindow, LOAD_TARGETS_MS.chartWindow, ` (a page of ${RUNS_PER_PAGE} runs: ${size(b.chartWindow)})`));
  console.log(line('whole sweep', b.wholeSweepSeries, LOAD_TARGETS_MS.chartWindow, ` (all 500 runs in one request: ${size(b.wholeSweepSeries)})`));
  console.log(line('summary', b.summary, LOAD_TARGETS_MS.summary, ' (review/summary, 500 runs)'));
  console.log('error' in b.web ? `  renderer: not measured (${b.web.error})` : describeWeb(b.web, HEAP_TARGET_MB));
  console.log(`  (1-minute load average at the end: ${b.loadAverage.toFixed(2)})`);
}

if (process.argv[1]?.endsWith('bench-load.ts')) {
  const b = await benchLoad(5, !process.argv.includes('--no-web'));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(b, null, 2)}\n`);
  else printLoad(b);
}
