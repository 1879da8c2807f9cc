// The pieces the fault tests rely on, one by one: what a killed checkpoint writer leaves is removed (a checkpoint
// moved aside mid-replace is put back), latestCheckpoint never takes a partial folder and can stop at an update, and
// storage failures become errors naming the folder and the fix while other errors pass through unchanged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PeftLabError, isPeftLabError } from '../../src-shared/errors';
import { storageError, storageProblem } from '../../src-main/engine/storage-errors';
import { latestCheckpoint, removeStaleTemps } from '../../src-main/engine/train/checkpoint';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-faults-ckpt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function checkpoint(dir: string, step: number, files = ['trainables.safetensors', 'optimizer.safetensors', 'trainer_state.json']): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(dir, f), f === 'trainer_state.json' ? JSON.stringify({ step }) : 'x');
}

describe('checkpoint folders after a kill', () => {
  it('removes temporary files and folders, restores a checkpoint moved aside, and picks only whole checkpoints', () => {
    const out = path.join(root, 'run');
    const ck = path.join(out, 'checkpoints');
    checkpoint(path.join(ck, 'step-000004'), 4);
    checkpoint(path.join(ck, 'step-000008.old-123'), 8); // killed between installFolder's two renames
    checkpoint(path.join(ck, 'step-000012.partial-456'), 12); // complete but never renamed into place
    checkpoint(path.join(ck, 'step-000016'), 16, ['trainables.safetensors', 'trainer_state.json']); // not whole
    fs.mkdirSync(path.join(ck, 'step-000000.pruned-9'));
    fs.writeFileSync(path.join(out, '.adapter_model.safetensors.456.0a1b2c3d.tmp'), 'half');
    fs.writeFileSync(path.join(out, 'run_info.json.3735928559'), '{');
    fs.writeFileSync(path.join(out, 'run_info.json'), '{}');
    expect(latestCheckpoint(out)?.state.step).toBe(4); // neither the partial, the moved-aside nor the broken one

    const removed = removeStaleTemps(out).map((p) => path.relative(out, p)).sort();
    expect(removed).toEqual(['.adapter_model.safetensors.456.0a1b2c3d.tmp', 'checkpoints/step-000000.pruned-9',
      'checkpoints/step-000012.partial-456', 'run_info.json.3735928559']);
    expect(fs.readdirSync(ck).sort()).toEqual(['step-000004', 'step-000008', 'step-000016']);
    expect(fs.readdirSync(out).sort()).toEqual(['checkpoints', 'run_info.json']);
    expect(latestCheckpoint(out)?.state.step).toBe(8);
    expect(latestCheckpoint(out, 7)?.state.step).toBe(4);
    expect(latestCheckpoint(out, 3)).toBeNull();
  });
});

describe('storage errors', () => {
  const sys = (code: string, message: string) => Object.assign(new Error(message), { code });
  it.each([
    ['ENOSPC', 'ENOSPC: no space left on device, write', 'full'],
    ['EDQUOT', 'EDQUOT: disk quota exceeded, write', 'full'],
    ['EFBIG', 'EFBIG: file too large, write', 'full'],
    ['SQLITE_FULL', 'database or disk is full', 'full'],
    ['SQLITE_IOERR_WRITE', 'disk I/O error', 'full'],
    ['EROFS', "EROFS: read-only file system, open '/d/x'", 'not-writable'],
    ['EACCES', "EACCES: permission denied, mkdir '/d/x'", 'not-writable'],
    ['SQLITE_READONLY', 'attempt to write a readonly database', 'not-writable'],
    ['SQLITE_CANTOPEN', 'unable to open database file', 'not-writable'],
  ])('%s is a %s folder, said with the folder and the fix', (code, message, problem) => {
    const e = storageError(sys(code, message), '/data/peft', 'resume the run');
    expect(storageProblem(e)).toBe(problem);
    expect(isPeftLabError(e, problem === 'full' ? 'DISK_FULL' : 'FOLDER_NOT_WRITABLE')).toBe(true);
    const text = (e as PeftLabError).message;
    expect(text).toContain(`cannot write to /data/peft: `);
    expect(text).toContain(message.startsWith(`${code}:`) ? message : `${code}: ${message}`);
    expect(text).toContain(problem === 'full' ? 'Free space on the disk holding /data/peft' : 'Make /data/peft writable');
    expect(text).toMatch(/or choose another data folder with --data; then resume the run\. Nothing already stored was changed\.$/);
  });

  it('leaves every other error as it was', () => {
    for (const err of [sys('ENOENT', 'ENOENT: no such file'), sys('SQLITE_CORRUPT', 'malformed'), new PeftLabError('CANCELLED', 'stopped'), 'text']) {
      expect(storageError(err, '/data/peft')).toBe(err);
      expect(storageProblem(err)).toBeNull();
    }
  });
});
