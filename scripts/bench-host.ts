// Host responsiveness while runs train: a 2-run sweep of a tiny model through an in-process host (2 workers at
// once), with the host's event-loop delay recorded the whole time, and the time a request takes meanwhile.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHost, tinySweep, writeTinyStudy } from '../test/host/helpers';

export interface HostBench {
  runs: number;
  seconds: number;
  eventLoopLagMs: { p50: number; p99: number; max: number };
  requestMs: { median: number; max: number; n: number };
}

export async function benchHost(): Promise<HostBench> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-bench-host-'));
  try {
    const study = await writeTinyStudy(root);
    const { client, host, close } = await startHost(path.join(root, 'data'));
    await client.request('settings/set', { concurrency: 2 });
    const t0 = performance.now();
    await client.request('sweeps/create', {
      spec: tinySweep(study, { axes: { r: [2, 4], targets: [{ preset: 'all-linear' }] }, training: { maxSteps: 80, batchSize: 4, learningRate: 0.01, evalEvery: 20, checkpointEvery: 40 } }),
      launch: true,
    });
    const latencies: number[] = [];
    let idle = false;
    void host.services.scheduler.waitIdle().then(() => (idle = true));
    while (!idle) {
      const r0 = performance.now();
      await client.request('runs/list', {});
      latencies.push(performance.now() - r0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const lag = host.eventLoopLag();
    await close();
    latencies.sort((a, b) => a - b);
    return { runs: 2, seconds, eventLoopLagMs: lag, requestMs: { median: latencies[Math.floor(latencies.length / 2)], max: latencies[latencies.length - 1], n: latencies.length } };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('bench-host.ts')) {
  const r = await benchHost();
  console.log(JSON.stringify(r));
}
