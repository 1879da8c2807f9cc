// The host killed with SIGKILL in the middle of a sweep (`peft-lab sweep run`, two cells one at a time, killed
// while the second trains): the database opens intact (integrity_check) with the in-flight run interrupted, the
// orphaned worker stops by itself, and launching the sweep again finishes the remaining cell from its checkpoint
// without re-running the finished one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestCheckpoint } from '../../src-main/engine/train/checkpoint';
import { openStore } from '../../src-main/store/db';
import { allGone, childPids, startCli, studyFolder } from './faults-procs';
import { startHost, tinySweep, until } from './helpers';

const { root, study } = studyFolder('peft-faults-host-');

describe('host killed with SIGKILL mid-sweep', () => {
  it('opens intact with the in-flight run interrupted; the sweep resumes the remaining cell and keeps the finished one', async () => {
    const dataDir = path.join(root, 'hostkill');
    const specFile = path.join(root, 'sweep.json');
    const MAX_STEPS = 60;
    fs.writeFileSync(specFile, JSON.stringify(tinySweep(study(), {
      name: 'host kill', axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }] },
      training: { maxSteps: MAX_STEPS, batchSize: 4, learningRate: 0.01, checkpointEvery: 4, evalEvery: 0 },
    })));
    const cli = startCli(['sweep', 'run', specFile, '--data', dataDir, '--concurrency', '1']);
    // The first cell finished, the second past its first checkpoint.
    await until('the second cell training', () => /finished step 60\/60[\s\S]*running step ([6-9]|[1-4]\d)\//.test(cli.stderr()) || null);
    const workers = childPids(cli.child.pid!);
    expect(workers.length).toBeGreaterThanOrEqual(1);
    cli.child.kill('SIGKILL');
    await cli.exited;
    // The orphaned worker sees its host gone and stops by itself (checkpoint first).
    await allGone(workers, 'the orphaned worker gone');

    const store = openStore(path.join(dataDir, 'peft-lab.db'));
    expect(store.integrityCheck()).toBe('ok');
    expect(store.interruptedOnOpen).toBe(1);
    const before = store.runs.list({});
    expect(before.map((r) => r.status)).toEqual(['finished', 'interrupted']);
    expect(before[1].statusReason).toContain('host stopped');
    const done = before[0];
    const doneRows = store.metrics.series(done.id, 'train_loss');
    const doneEvents = store.runEvents.list(done.id, 1000).length;
    // Metrics the killed host had not written yet are gone; the resume starts at or before the last stored update.
    const lastStored = store.metrics.lastStep(before[1].id)!;
    expect(latestCheckpoint(before[1].outputDir!)!.state.step).toBeGreaterThanOrEqual(4);
    store.close();

    const { client, host, close } = await startHost(dataDir);
    await client.request('sweeps/launch', { id: done.sweepId });
    await host.services.scheduler.waitIdle();
    const { sweep, runs } = await client.request('sweeps/get', { id: done.sweepId });
    expect(runs.map((r) => r.status)).toEqual(['finished', 'finished']);
    expect(sweep.status).toBe('finished');
    // The finished cell was not run again: same rows, same times, no new events.
    const again = runs[0];
    expect([again.startedAt, again.finishedAt, again.lastLoss]).toEqual([done.startedAt, done.finishedAt, done.lastLoss]);
    expect(host.services.store.metrics.series(done.id, 'train_loss')).toEqual(doneRows);
    expect(host.services.store.runEvents.list(done.id, 1000).length).toBe(doneEvents);
    // The interrupted cell went on from its checkpoint; every cell has its whole loss curve.
    const resumed = host.services.store.runEvents.list(runs[1].id, 1000)
      .find((e) => e.type === 'start' && (e.payload as { resumedFrom: number | null }).resumedFrom !== null);
    const resumedFrom = (resumed?.payload as { resumedFrom: number }).resumedFrom;
    expect(resumedFrom).toBeGreaterThanOrEqual(4);
    expect(resumedFrom).toBeLessThanOrEqual(lastStored);
    for (const r of runs) {
      expect(host.services.store.metrics.series(r.id, 'train_loss').map((p) => p.step)).toEqual(Array.from({ length: MAX_STEPS }, (_, i) => i + 1));
    }
    expect(host.services.store.integrityCheck()).toBe('ok');
    await close();
  }, 300_000);
});
