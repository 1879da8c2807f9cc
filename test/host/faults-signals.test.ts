// SIGTERM is a graceful stop everywhere: to a run worker (it writes a checkpoint at the update it reached and
// exits; the run is interrupted with that reason and resumes from exactly there), to `peft-lab sweep run` and to
// `peft-lab serve` (the runs in flight checkpoint and are left interrupted by the host itself, every metric row is
// flushed, the database is closed cleanly: no -wal file remains, integrity_check ok).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/domain/records';
import { latestCheckpoint } from '../../src-main/engine/train/checkpoint';
import { openStore } from '../../src-main/store/db';
import { allGone, childPids, startCli, studyFolder } from './faults-procs';
import { startHost, tinySweep, until } from './helpers';

const { root, study } = studyFolder('peft-faults-sig-');

const training = { maxSteps: 100_000, batchSize: 4, learningRate: 0.01, checkpointEvery: 100, evalEvery: 0 };

/** A stopped run's state in a closed store: checkpoint at the very update it reached, every metric row up to it. */
function expectStoppedCleanly(dataDir: string, reason: RegExp): RunRecord[] {
  const db = path.join(dataDir, 'peft-lab.db');
  expect(fs.existsSync(`${db}-wal`)).toBe(false); // closed cleanly: the last connection checkpointed and removed the WAL
  const store = openStore(db);
  try {
    expect(store.integrityCheck()).toBe('ok');
    expect(store.interruptedOnOpen).toBe(0); // the host marked them itself, before it closed
    const stopped = store.runs.list({}).filter((r) => r.status === 'interrupted');
    expect(stopped.length).toBeGreaterThan(0);
    for (const r of stopped) {
      expect(r.statusReason).toMatch(reason);
      expect(r.step).toBeGreaterThan(0);
      expect(latestCheckpoint(r.outputDir!)!.state.step).toBe(r.step);
      expect(store.metrics.series(r.id, 'train_loss').map((p) => p.step)).toEqual(Array.from({ length: r.step }, (_, i) => i + 1));
    }
    return stopped;
  } finally {
    store.close();
  }
}

describe('SIGTERM', () => {
  it('to a run worker: checkpoint at the update reached, run interrupted with the reason, resume goes on from there', async () => {
    const dataDir = path.join(root, 'worker');
    const { client, host, close } = await startHost(dataDir);
    const store = host.services.store;
    const sweep = await client.request('sweeps/create', {
      spec: tinySweep(study(), { name: 'term', axes: { r: [2], targets: [{ preset: 'attention-qv' }] }, training }),
      launch: true,
    });
    const [run] = (await client.request('sweeps/get', { id: sweep.id })).runs;
    await until('a few updates', async () => (store.metrics.count(run.id, 'train_loss') >= 5 ? true : null));
    process.kill(host.services.scheduler.workerPid(run.id)!, 'SIGTERM');
    const stopped = await until('the run ended', async () => {
      const r = await client.request('runs/get', { id: run.id });
      return r.status !== 'running' && r.status !== 'queued' ? r : null;
    }, 240_000);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.statusReason).toMatch(/stopped by SIGTERM: run stopped at update \d+; resume continues from there/);
    expect(latestCheckpoint(run.outputDir!)!.state.step).toBe(stopped.step);
    expect(store.metrics.count(run.id, 'train_loss')).toBe(stopped.step);
    await client.request('runs/resume', { id: run.id });
    await until('updates after the resume', () => store.metrics.count(run.id, 'train_loss') >= stopped.step + 3 || null, 240_000);
    const start = store.runEvents.list(run.id, 1000).find((e) => e.type === 'start' && (e.payload as { resumedFrom: number | null }).resumedFrom !== null);
    expect((start?.payload as { resumedFrom: number }).resumedFrom).toBe(stopped.step);
    const steps = store.metrics.series(run.id, 'train_loss').map((p) => p.step);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    await close();
  }, 300_000);

  it('to `peft-lab sweep run`: runs in flight checkpoint and are interrupted, metrics flushed, database closed', async () => {
    const dataDir = path.join(root, 'sweep');
    const specFile = path.join(root, 'sweep.json');
    fs.writeFileSync(specFile, JSON.stringify(tinySweep(study(), { name: 'term sweep', axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }] }, training })));
    const cli = startCli(['sweep', 'run', specFile, '--data', dataDir, '--concurrency', '2']);
    await until('both runs training', () => (/r=2[^\n]*running step ([5-9]|\d\d)\//.test(cli.stderr()) && /r=4[^\n]*running step ([5-9]|\d\d)\//.test(cli.stderr())) || null);
    const workers = childPids(cli.child.pid!);
    cli.child.kill('SIGTERM');
    const { code } = await cli.exited;
    expect(cli.stderr()).toContain('SIGTERM: stopping 2 runs in flight');
    expect(code).toBe(143);
    await allGone(workers, 'the workers gone');
    const stopped = expectStoppedCleanly(dataDir, /the app was closed while this run trained; resume continues from its last checkpoint/);
    expect(stopped.length).toBe(2);
  }, 300_000);

  it('to `peft-lab serve`: the run in flight checkpoints and is interrupted, the database closed', async () => {
    const dataDir = path.join(root, 'serve');
    // A queued run for the server to start (one at a time): a sweep created by a host closed at once, its runs queued again.
    const { client, close } = await startHost(dataDir);
    await client.request('settings/set', { concurrency: 1 });
    await client.request('sweeps/create', { spec: tinySweep(study(), { name: 'serve', axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }] }, training }), launch: true });
    await close();
    const setup = openStore(path.join(dataDir, 'peft-lab.db'));
    for (const r of setup.runs.list({})) setup.runs.update(r.id, { status: 'queued', statusReason: null });
    setup.close();
    const cli = startCli(['serve', '--port', '0', '--data', dataDir, '--no-build-check']);
    const db = new Database(path.join(dataDir, 'peft-lab.db'), { readonly: true });
    const step = () => (db.prepare("SELECT step FROM runs WHERE status = 'running'").get() as { step: number } | undefined)?.step ?? 0;
    try {
      await until('the queued run training', () => step() >= 3 || null);
    } finally {
      db.close();
    }
    const workers = childPids(cli.child.pid!);
    cli.child.kill('SIGTERM');
    const { code } = await cli.exited;
    expect(cli.stderr()).toContain('stopping 1 run; resume it later from the last checkpoint.');
    expect(cli.stderr()).toContain('PEFT Lab web mode stopped.');
    expect(code).toBe(0);
    await allGone(workers, 'the worker gone');
    const stopped = expectStoppedCleanly(dataDir, /the app was closed while this run trained/);
    expect(stopped.length).toBe(1);
  }, 300_000);
});
