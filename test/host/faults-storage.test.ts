// Disk full and read-only data folders: a clear error naming the folder and the fix, nothing corrupted, stored rows
// intact, the runs resumable. Disk full is a file-size limit (RLIMIT_FSIZE through prlimit: writes past it fail
// with EFBIG, as they fail with ENOSPC on a full disk; no mount needed, so it works in CI containers). Read-only is
// a folder this user may not write: chmod. Root (here and in CI) ignores file modes through two capabilities, so as
// root the CLI runs through setpriv without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: still root, still the owner
// of the checkout and of the data folder (so it reads the sources wherever the checkout is, even in a 0700 folder),
// but bound by the folder's modes like any user. (Running it as user 65534 instead skipped these tests in CI,
// whose fresh clone sits in a 0700 folder that user cannot read.)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestCheckpoint } from '../../src-main/engine/train/checkpoint';
import { openStore } from '../../src-main/store/db';
import { scanCheckpoints } from './faults-checks';
import { BIN, startCli, studyFolder } from './faults-procs';
import { startHost, tinySweep, until } from './helpers';

const { root, study } = studyFolder('peft-faults-disk-');

const isRoot = process.getuid?.() === 0;
const DAC_CAPS = '-dac_override,-dac_read_search';
const WITHOUT_DAC = ['setpriv', `--inh-caps=${DAC_CAPS}`, `--bounding-set=${DAC_CAPS}`];
/** As root: does root without those capabilities read the CLI and get refused by a folder of mode 0555? */
function modesBindRoot(): boolean {
  const probe = fs.mkdtempSync(path.join(root, 'probe-'));
  fs.chmodSync(probe, 0o555);
  const code = `require('fs').accessSync(${JSON.stringify(BIN)}); try { require('fs').writeFileSync(${JSON.stringify(path.join(probe, 'x'))}, ''); process.exit(3); } catch { process.exit(0); }`;
  const ok = spawnSync(WITHOUT_DAC[0], [...WITHOUT_DAC.slice(1), process.execPath, '-e', code]).status === 0;
  fs.chmodSync(probe, 0o755);
  return ok;
}
const unprivilegedRuns = !isRoot || modesBindRoot();
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
const unprivileged = isRoot ? WITHOUT_DAC : [];
const env = { HOME: root, PEFT_LAB_THREADS: '1' };

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const trainLoss = (dataDir: string) => {
  const store = openStore(path.join(dataDir, 'peft-lab.db'));
  try {
    return { health: store.integrityCheck(), interrupted: store.interruptedOnOpen, runs: store.runs.list({}), series: store.runs.list({}).map((r) => store.metrics.series(r.id, 'train_loss')) };
  } finally {
    store.close();
  }
};

/** A data folder holding one finished run (6 updates), closed: made once, copied for each test. */
let template: Promise<string> | null = null;
async function seeded(dataDir: string): Promise<void> {
  template ??= makeSeeded(path.join(root, 'seeded'));
  fs.cpSync(await template, dataDir, { recursive: true });
}

async function makeSeeded(dataDir: string): Promise<string> {
  const { client, host, close } = await startHost(dataDir);
  await client.request('sweeps/create', { spec: tinySweep(study(), { name: 'kept', axes: { r: [2], targets: [{ preset: 'attention-qv' }] }, training: { maxSteps: 6, batchSize: 4, learningRate: 0.01, checkpointEvery: 3, evalEvery: 0 } }), launch: true });
  await host.services.scheduler.waitIdle();
  await close();
  return dataDir;
}

function specFile(name: string, training: Record<string, number>): string {
  const file = path.join(root, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(tinySweep(study(), { name, axes: { r: [4], targets: [{ preset: 'attention-qv' }] }, training: { batchSize: 4, learningRate: 0.01, evalEvery: 0, ...training } })));
  return file;
}

describe.skipIf(!unprivilegedRuns)('read-only data folder', () => {
  it('refuses to start with an error naming the folder and the fix, leaving the database byte for byte as it was', async () => {
    const dataDir = path.join(root, 'readonly');
    await seeded(dataDir);
    const db = path.join(dataDir, 'peft-lab.db');
    const before = sha(db);
    fs.chmodSync(dataDir, 0o555);
    const cli = startCli(['sweep', 'run', specFile('ro', { maxSteps: 4, checkpointEvery: 2 }), '--data', dataDir], unprivileged, env);
    const { code } = await cli.exited;
    fs.chmodSync(dataDir, 0o755);
    console.log(`read-only data folder → ${cli.stderr().trim()}`);
    expect(code).toBe(1);
    expect(cli.stderr()).toMatch(new RegExp(`^peft-lab: error: cannot write to ${dataDir}: it is read-only or not writable by this user .*EACCES.*Make ${dataDir} writable, or choose another data folder with --data\\. Nothing already stored was changed\\.\\n$`));
    expect(sha(db)).toBe(before);
    expect(fs.existsSync(`${db}-wal`)).toBe(false);
    const after = trainLoss(dataDir);
    expect(after.health).toBe('ok');
    expect(after.series[0].map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
  }, 300_000);

  it('made read-only while a run trains: the run is interrupted with the folder and the fix, stored rows intact, resumable', async () => {
    const dataDir = path.join(root, 'goes-readonly');
    fs.mkdirSync(dataDir);
    const cli = startCli(['sweep', 'run', specFile('ro-later', { maxSteps: 100_000, checkpointEvery: 4 }), '--data', dataDir], unprivileged, env);
    await until('a checkpoint written', () => /running step (9|\d\d)\//.test(cli.stderr()) || null);
    // Everything read-only (the database stays writable through the host's open file, as on a remount).
    spawnSync('chmod', ['-R', 'a-w', dataDir]);
    const { code } = await cli.exited;
    spawnSync('chmod', ['-R', 'u+w', dataDir]);
    expect(code).toBe(1);
    const after = trainLoss(dataDir);
    expect(after.health).toBe('ok');
    const [run] = after.runs;
    console.log(`folder made read-only mid-run → run ${run.status}: ${run.statusReason}`);
    expect(run.status).toBe('interrupted');
    expect(run.statusReason).toMatch(new RegExp(`^cannot write to ${run.outputDir}: it is read-only or not writable by this user .*(EACCES|EPERM).*Make ${run.outputDir} writable, or choose another data folder with --data; then resume the run: it continues from its last complete checkpoint\\.`));
    expect(after.series[0].map((p) => p.step)).toEqual(Array.from({ length: run.step }, (_, i) => i + 1));
    const scan = await scanCheckpoints(run.outputDir!);
    expect(scan.corrupt).toEqual([]);
    expect(scan.latest).toBeGreaterThanOrEqual(8);
    expect(cli.stderr()).not.toContain('internal error');
  }, 300_000);
});

describe.skipIf(!hasPrlimit)('disk full (file-size limit)', () => {
  it('on the database: the sweep stops with an error naming the folder and the fix; stored rows intact, run resumable', async () => {
    const dataDir = path.join(root, 'full');
    await seeded(dataDir);
    const kept = trainLoss(dataDir).series[0];
    // The WAL starts empty; with the limit at the database's size it fills after some commits of the new sweep.
    const limit = fs.statSync(path.join(dataDir, 'peft-lab.db')).size;
    const cli = startCli(['sweep', 'run', specFile('full', { maxSteps: 100_000, checkpointEvery: 5 }), '--data', dataDir], ['prlimit', `--fsize=${limit}`], env);
    const { code } = await cli.exited;
    const message = /^peft-lab: error: .*$/m.exec(cli.stderr())?.[0] ?? '';
    console.log(`disk full (database) → ${message}`);
    expect(code).toBe(1);
    expect(message).toMatch(new RegExp(`^peft-lab: error: cannot write to ${dataDir}: the disk is full or a file-size limit was reached \\(.* free; SQLITE_IOERR_WRITE: disk I/O error\\)\\. Free space on the disk holding ${dataDir}, or choose another data folder with --data; then resume the sweep: its runs continue from their last checkpoints\\.`));
    expect(cli.stderr()).not.toContain('internal error');
    const after = trainLoss(dataDir);
    expect(after.health).toBe('ok');
    expect(after.series[0]).toEqual(kept); // the rows stored before are all there, unchanged
    const run = after.runs[1];
    expect(run.status).toBe('interrupted');
    expect(after.series[1].map((p) => p.step)).toEqual(Array.from({ length: after.series[1].length }, (_, i) => i + 1));
    expect((await scanCheckpoints(run.outputDir!)).corrupt).toEqual([]);
  }, 300_000);

  it('on a checkpoint: the run is interrupted naming its folder and the fix, resume finishes it', async () => {
    const dataDir = path.join(root, 'full-ckpt');
    const { client, host, close } = await startHost(dataDir);
    const sweep = await client.request('sweeps/create', { spec: JSON.parse(fs.readFileSync(specFile('full-ckpt', { maxSteps: 60, checkpointEvery: 4 }), 'utf8')), launch: true });
    const [run] = (await client.request('sweeps/get', { id: sweep.id })).runs;
    await until('the first checkpoint', () => latestCheckpoint(run.outputDir!) !== null || null);
    const pid = host.services.scheduler.workerPid(run.id)!;
    expect(spawnSync('prlimit', ['--pid', String(pid), '--fsize=256:256']).status).toBe(0);
    const stopped = await until('the run interrupted', async () => {
      const r = await client.request('runs/get', { id: run.id });
      return r.status === 'interrupted' || r.status === 'failed' ? r : null;
    });
    console.log(`disk full (checkpoint) → run ${stopped.status}: ${stopped.statusReason}`);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.statusReason).toMatch(new RegExp(`^cannot write to ${run.outputDir}: the disk is full or a file-size limit was reached \\(.*EFBIG.*\\)\\. Free space on the disk holding ${run.outputDir}, or choose another data folder with --data; then resume the run: it continues from its last complete checkpoint\\.`));
    const scan = await scanCheckpoints(run.outputDir!);
    expect(scan.corrupt).toEqual([]);
    expect(scan.strays).toEqual([]); // the failed write removed its temporary folder
    await client.request('runs/resume', { id: run.id });
    await host.services.scheduler.waitIdle();
    expect((await client.request('runs/get', { id: run.id })).status).toBe('finished');
    expect(host.services.store.metrics.series(run.id, 'train_loss').map((p) => p.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(host.services.store.integrityCheck()).toBe('ok');
    await close();
  }, 300_000);
});
