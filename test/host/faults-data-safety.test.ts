// Data safety: the store is in WAL mode (in the file header, so every connection gets it); `peft-lab backup` copies
// a data folder while the host trains in it (database through SQLite's online backup, checkpoints and adapters
// beside it), the copy passes integrity_check and opens in the app; a backup never overwrites and never goes inside
// the data folder; a database from a newer PEFT Lab is refused through the CLI and the host, naming the file and
// saying to update, and left untouched.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isPeftLabError } from '../../src-shared/errors';
import { createHost } from '../../src-main/host/host';
import { backupDataFolder } from '../../src-main/store/backup';
import { openStore } from '../../src-main/store/db';
import { LATEST_VERSION } from '../../src-main/store/migrations/index';
import { scanCheckpoints } from './faults-checks';
import { startCli, studyFolder } from './faults-procs';
import { startHost, tinySweep, until } from './helpers';

const { root, study } = studyFolder('peft-faults-data-');

describe('data safety', () => {
  it('keeps the store in WAL mode, in the file header', () => {
    const file = path.join(root, 'wal', 'peft-lab.db');
    openStore(file).close();
    // Bytes 18 and 19 of an SQLite header are the read/write format versions: 2 means WAL.
    const header = fs.readFileSync(file).subarray(18, 20);
    expect([...header]).toEqual([2, 2]);
    const plain = new Database(file, { readonly: true });
    expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    plain.close();
    const store = openStore(file);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
  });

  it('`peft-lab backup` copies a data folder while the host trains in it; the copy is whole and opens in the app', async () => {
    const dataDir = path.join(root, 'live');
    const out = path.join(root, 'backup');
    const { client, host, close } = await startHost(dataDir);
    const sweep = await client.request('sweeps/create', {
      spec: tinySweep(study(), { name: 'live', axes: { r: [2], targets: [{ preset: 'attention-qv' }] }, training: { maxSteps: 100_000, batchSize: 4, learningRate: 0.01, checkpointEvery: 5, evalEvery: 0 } }),
      launch: true,
    });
    const [run] = (await client.request('sweeps/get', { id: sweep.id })).runs;
    await until('two checkpoints', () => host.services.store.metrics.count(run.id, 'train_loss') >= 11 || null);
    // A separate process, reading the database while this host writes it.
    const cli = startCli(['backup', out, '--data', dataDir]);
    const { code } = await cli.exited;
    const liveRows = host.services.store.metrics.count(run.id, 'train_loss');
    await close();
    console.log(`backup → ${cli.stdout().trim()}`);
    expect(code).toBe(0);
    expect(cli.stdout()).toMatch(new RegExp(`^backed up ${dataDir} to ${out}: database \\(schema version ${LATEST_VERSION}, 1 run, \\d+ metric points, integrity_check ok\\) and \\d+ other files \\(.+\\)\\n$`));

    const copy = openStore(path.join(out, 'peft-lab.db'));
    expect(copy.integrityCheck()).toBe('ok');
    const [saved] = copy.runs.list({});
    expect(saved.status).toBe('interrupted'); // it was training when copied: the copy opens like after a crash
    const steps = copy.metrics.series(run.id, 'train_loss').map((p) => p.step);
    expect(steps.length).toBeGreaterThanOrEqual(11);
    expect(steps.length).toBeLessThanOrEqual(liveRows);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    copy.close();
    const copied = await scanCheckpoints(path.join(out, path.relative(dataDir, run.outputDir!)));
    expect(copied.corrupt).toEqual([]);
    expect(copied.strays).toEqual([]);
    expect(copied.steps.length).toBeGreaterThan(0);
    // The copy is a data folder: a host opens it and lists what it holds.
    const app = await createHost({ dataDir: out, mode: 'cli', log: () => undefined });
    expect(app.services.store.sweeps.list().map((s) => s.name)).toEqual(['live']);
    await app.shutdown();
  }, 300_000);

  it('refuses to overwrite a folder or to back up into the data folder itself', async () => {
    const dataDir = path.join(root, 'refusals');
    openStore(path.join(dataDir, 'peft-lab.db')).close();
    const full = path.join(root, 'not-empty');
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'keep.txt'), 'x');
    await expect(backupDataFolder(dataDir, full)).rejects.toThrow(`${full} already exists and is not an empty folder; a backup never overwrites`);
    expect(fs.readdirSync(full)).toEqual(['keep.txt']);
    await expect(backupDataFolder(dataDir, path.join(dataDir, 'inside'))).rejects.toThrow('the backup folder must be outside the data folder');
  });

  it('refuses a database from a newer version through the CLI and the host, naming the file, leaving it untouched', async () => {
    const dataDir = path.join(root, 'newer');
    const file = path.join(dataDir, 'peft-lab.db');
    openStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const sha = () => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const before = sha();
    const expected = `${file} was written by a newer version of PEFT Lab (database version ${LATEST_VERSION + 1}; this version ` +
      `understands up to ${LATEST_VERSION}). Update PEFT Lab to open it, or choose another data folder; PEFT Lab has not changed the file.`;
    const specFile = path.join(root, 'newer.json');
    fs.writeFileSync(specFile, JSON.stringify(tinySweep(study())));
    const cli = startCli(['sweep', 'run', specFile, '--data', dataDir]);
    const { code } = await cli.exited;
    expect(code).toBe(1);
    expect(cli.stderr()).toBe(`peft-lab: error: ${expected}\n`);
    for (const opening of [createHost({ dataDir, mode: 'cli', log: () => undefined }), backupDataFolder(dataDir, path.join(root, 'newer-backup'))]) {
      const refused = await opening.then(() => null, (e: unknown) => e);
      expect(isPeftLabError(refused, 'STORE_INVALID') && refused.message).toBe(expected);
    }
    expect(fs.existsSync(path.join(root, 'newer-backup'))).toBe(false);
    expect(sha()).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  }, 300_000);
});
