// Faults of run workers: a worker killed with SIGKILL mid-training leaves its run interrupted (with the reason) while
// the other run goes on; resume finishes it from its last checkpoint with the same losses (bit-exact), no metric row
// received before the kill is lost, and the database passes integrity_check. Then 20 more kills: at seeded-random
// steps from outside, and from inside at exact points of a checkpoint write (the PEFT_LAB_FAULT test hook), each
// followed by the same checks plus whole checkpoints on disk. (Host faults: faults-host.test.ts.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricPoint, RunRecord } from '../../src-shared/domain/records';
import { latestCheckpoint } from '../../src-main/engine/train/checkpoint';
import { openStore } from '../../src-main/store/db';
import { MetricLedger, scanCheckpoints } from './faults-checks';
import { startHost, tinySweep, until } from './helpers';
import { studyFolder } from './faults-procs';

const { root, study } = studyFolder('peft-faults-');

describe('run worker killed with SIGKILL', () => {
  it('is interrupted, the other run continues, resume finishes it bit-exactly, nothing stored is lost', async () => {
    const dataDir = path.join(root, 'kill');
    const { client, host, close } = await startHost(dataDir);
    await client.request('settings/set', { concurrency: 2 });
    const seen = new Map<number, MetricPoint[]>();
    client.on('run/metrics', ({ runId, points }) => seen.set(runId, [...(seen.get(runId) ?? []), ...points]));
    const spec = tinySweep(study(), {
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
  }, 300_000);
});

/** mulberry32: a small seeded generator, so the kill points are the same in every run of the test. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('run workers killed at random points and in the middle of checkpoint writes', () => {
  it('every fault leaves its run interrupted and resumable, its checkpoints whole, and loses no received row', async () => {
    const MAX_STEPS = 50;
    const dataDir = path.join(root, 'trials');
    const { client, host, close } = await startHost(dataDir);
    const store = host.services.store;
    const ledger = new MetricLedger(host.services.metrics);
    await client.request('settings/set', { concurrency: 2 });
    const spec = tinySweep(study(), {
      name: 'trials', axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }] },
      training: { maxSteps: MAX_STEPS, batchSize: 4, learningRate: 0.01, checkpointEvery: 3, evalEvery: 0 },
    });
    const sweep = await client.request('sweeps/create', { spec, launch: true });
    const runs = (await client.request('sweeps/get', { id: sweep.id })).runs;
    const rand = seeded(9);
    const tally = { tried: 0, survived: 0, rowsLost: 0, corrupt: 0, strayLeft: 0, reasons: new Set<string>() };

    const status = async (id: number) => (await client.request('runs/get', { id })).status;
    const resume = async (run: RunRecord): Promise<number> => {
      ledger.lastStep.set(run.id, latestCheckpoint(run.outputDir!)?.state.step ?? 0);
      const r = await client.request('runs/resume', { id: run.id });
      expect(['queued', 'running']).toContain(r.status);
      return until('the worker started', () => host.services.scheduler.workerPid(run.id));
    };
    /** The checks after one fault; `hook` names the stage when the worker killed itself mid-checkpoint. */
    const check = async (run: RunRecord, pid: number, hook?: string): Promise<void> => {
      const rec = await until(`run ${run.id} interrupted`, async () => {
        const r = await client.request('runs/get', { id: run.id });
        return r.status === 'interrupted' ? r : null;
      });
      tally.tried += 1;
      tally.reasons.add(rec.statusReason ?? '');
      const lost = ledger.lost(store, run.id);
      const scan = await scanCheckpoints(run.outputDir!);
      // Strays of earlier attempts were removed when the run started again; only the killed process's may remain.
      const foreign = scan.strays.filter((n) => !n.includes(`-${pid}`) && !n.includes(`.${pid}.`) && !/\.json\.\d+$/.test(n));
      const partial = scan.strays.find((n) => n.endsWith(`.partial-${pid}`));
      const hookHit = !hook || (partial !== undefined && (hook !== 'tensors' ||
        fs.readdirSync(path.join(run.outputDir!, 'checkpoints', partial)).some((f) => f.endsWith('.tmp'))));
      tally.rowsLost += lost;
      tally.corrupt += scan.corrupt.length;
      tally.strayLeft += foreign.length;
      const ok = /SIGKILL/.test(rec.statusReason ?? '') && lost === 0 && scan.corrupt.length === 0 && foreign.length === 0 &&
        hookHit && scan.latest === (scan.steps.at(-1) ?? null) && store.integrityCheck() === 'ok';
      if (ok) tally.survived += 1;
      else console.error('fault not survived', { run: run.id, hook, reason: rec.statusReason, lost, scan, hookHit });
    };

    // 10 kills from outside at seeded-random steps (1 to 7 updates past the checkpoint resumed from, then 0 to 150 ms
    // into the update), both runs at once; some land in a checkpoint write by chance.
    await Promise.all(runs.map(async (run) => {
      for (let k = 0; k < 5; k++) {
        const pid = k === 0 ? await until('the worker started', () => host.services.scheduler.workerPid(run.id)) : await resume(run);
        const base = latestCheckpoint(run.outputDir!)?.state.step ?? 0;
        const target = base + 1 + Math.floor(rand() * 7);
        await until(`run ${run.id} at update ${target}`, () => (ledger.lastStep.get(run.id) ?? 0) >= target || null);
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 150)));
        process.kill(pid, 'SIGKILL');
        await check(run, pid);
      }
    }));
    // 10 self-kills at exact points of a checkpoint write (engine/fault-hook.ts): mid-file, before the state file,
    // before the folder rename; in the first or second checkpoint the process writes.
    const stages = ['tensors', 'state', 'rename', 'tensors', 'rename'];
    for (const [t, stage] of stages.entries()) {
      process.env.PEFT_LAB_FAULT = `checkpoint-write:${1 + (t % 2)}:${stage}`;
      let pids: number[];
      try {
        pids = await Promise.all(runs.map((run) => resume(run)));
      } finally {
        delete process.env.PEFT_LAB_FAULT;
      }
      await Promise.all(runs.map((run, i) => check(run, pids[i], stage)));
    }

    for (const run of runs) await resume(run);
    await host.services.scheduler.waitIdle();
    for (const run of runs) {
      expect(await status(run.id)).toBe('finished');
      const steps = store.metrics.series(run.id, 'train_loss').map((p) => p.step);
      expect(steps).toEqual(Array.from({ length: MAX_STEPS }, (_, i) => i + 1));
      expect(ledger.lost(store, run.id)).toBe(0);
      const scan = await scanCheckpoints(run.outputDir!);
      expect(scan.corrupt).toEqual([]);
      expect(scan.strays).toEqual([]);
    }
    // Every update re-run after a resume gave bit for bit the values of its first run.
    expect(ledger.mismatches).toBe(0);
    expect(store.integrityCheck()).toBe('ok');
    await close();
    console.log(`faults survived: ${tally.survived}/${tally.tried}, rows lost: ${tally.rowsLost}, checkpoint corruptions: ${tally.corrupt}, ` +
      `stray temporary files left by earlier attempts: ${tally.strayLeft}; reasons: ${[...tally.reasons].join(' | ')}`);
    expect(tally.tried).toBeGreaterThanOrEqual(20);
    expect(tally.survived).toBe(tally.tried);
    expect(tally.rowsLost).toBe(0);
    expect(tally.corrupt).toBe(0);
  }, 400_000);
});
