// Faults: a run worker killed with SIGKILL mid-training leaves its run interrupted (with the reason) while the
// other run goes on; resume finishes it from its last checkpoint with the same losses (bit-exact), no metric row
// received before the kill is lost, and the database passes integrity_check. A host killed mid-sweep leaves its
// in-flight runs interrupted when it is opened again, never "running".
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../src-shared/domain/records';
import { openStore } from '../../src-main/store/db';
import { startHost, tinySweep, until, writeTinyStudy } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-faults-'));
let study: Awaited<ReturnType<typeof writeTinyStudy>>;
// A killed worker's process group can still be finishing a write when the files go: retry (ENOTEMPTY) as rm -rf would.
afterAll(() => fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }));
beforeAll(async () => {
  study = await writeTinyStudy(root);
});

describe('run worker killed with SIGKILL', () => {
  it('is interrupted, the other run continues, resume finishes it bit-exactly, nothing stored is lost', async () => {
    const dataDir = path.join(root, 'kill');
    const { client, host, close } = await startHost(dataDir);
    await client.request('settings/set', { concurrency: 2 });
    const seen = new Map<number, MetricPoint[]>();
    client.on('run/metrics', ({ runId, points }) => seen.set(runId, [...(seen.get(runId) ?? []), ...points]));
    const spec = tinySweep(study, {
      name: 'kill', axes: { r: [2, 4], targets: [{ preset: 'all-linear' }] },
      training: { maxSteps: 60, batchSize: 4, learningRate: 0.01, checkpointEvery: 10, evalEvery: 0 },
    });
    const sweep = await client.request('sweeps/create', { spec, launch: true });
    const [victim, other] = (await client.request('sweeps/get', { id: sweep.id })).runs;
    await until('the victim past its first checkpoint', async () => ((await client.request('runs/get', { id: victim.id })).step >= 14 ? true : null));
    const pid = host.services.scheduler.workerPid(victim.id)!;
    process.kill(pid, 'SIGKILL');
    const interrupted = await until('the victim interrupted', async () => {
      const r = await client.request('runs/get', { id: victim.id });
      return r.status === 'interrupted' ? r : null;
    });
    expect(interrupted.statusReason).toContain('SIGKILL');
    const received = (seen.get(victim.id) ?? []).filter((p) => p.name === 'train_loss');
    expect(received.length).toBeGreaterThanOrEqual(14);
    // Every point pushed to clients before the kill is on disk (the host flushes what the worker sent when it
    // dies; pushes are throttled, so the disk may hold a few more), with no gap.
    const [stored] = await client.request('metrics/series', { runIds: [victim.id], names: ['train_loss'], maxPoints: 10_000 });
    const storedSteps = stored.points.map((p) => p[0]);
    expect(storedSteps).toEqual(Array.from({ length: storedSteps.length }, (_, i) => i + 1));
    expect(storedSteps.length).toBeGreaterThanOrEqual(received.length);
    for (const p of received) expect(stored.points[p.step - 1][1]).toBe(p.value);

    const resumed = await client.request('runs/resume', { id: victim.id });
    expect(['queued', 'running']).toContain(resumed.status);
    await host.services.scheduler.waitIdle();
    const { runs } = await client.request('sweeps/get', { id: sweep.id });
    expect(runs.map((r) => r.status)).toEqual(['finished', 'finished']);
    expect(runs.find((r) => r.id === other.id)!.step).toBe(60);
    const [after] = await client.request('metrics/series', { runIds: [victim.id], names: ['train_loss'], maxPoints: 10_000 });
    expect(after.points.map((p) => p[0])).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Steps re-run after the checkpoint replaced the first attempt's rows with identical values.
    for (const p of received) expect(after.points[p.step - 1][1]).toBe(p.value);
    await close();
    const store = openStore(path.join(dataDir, 'peft-lab.db'));
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });
});

describe('host killed with SIGKILL', () => {
  it('leaves its in-flight runs interrupted on the next start, the database intact', async () => {
    const dataDir = path.join(root, 'hostkill');
    const specFile = path.join(root, 'sweep.json');
    fs.writeFileSync(specFile, JSON.stringify(tinySweep(study, {
      name: 'host kill', axes: { r: [2], targets: [{ preset: 'attention-qv' }] },
      training: { maxSteps: 400, batchSize: 4, learningRate: 0.01, checkpointEvery: 5 },
    })));
    const bin = path.resolve(__dirname, '../../bin/peft-lab.js');
    const child = spawn(process.execPath, [bin, 'sweep', 'run', specFile, '--data', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await until('a few steps', () => /step ([6-9]|\d\d)\//.test(err) || null);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const store = openStore(path.join(dataDir, 'peft-lab.db'));
    expect(store.interruptedOnOpen).toBe(1);
    const [run] = store.runs.list({});
    expect(run.status).toBe('interrupted');
    expect(run.statusReason).toContain('host stopped');
    expect(store.metrics.count(run.id, 'train_loss')).toBeGreaterThan(0);
    expect(store.integrityCheck()).toBe('ok');
    store.close();
    // The orphaned worker notices the host is gone and stops by itself (checkpoint first).
    await until('the orphan worker gone', () => {
      const ps = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).some((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('run-worker') && isChildOf(p, dataDir);
        } catch {
          return false;
        }
      });
      return !ps || null;
    }, 30_000);
  });
});

/** Workers get the data folder in their job message, not on their command line; match them by their open worker.log. */
function isChildOf(pid: string, dataDir: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dataDir);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
