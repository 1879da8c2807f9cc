// The glibc malloc settings given to training processes (malloc-tunables.ts): merged with the user's own
// GLIBC_TUNABLES (theirs win), Linux only, off with PEFT_LAB_MALLOC_TUNABLES=off, and really in a run worker's env.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envForInProcessCompute, tunablesWith, withMallocTunables } from '../../../src-main/engine/backends/malloc-tunables';
import { workerCommand } from '../../../src-main/host/runs/worker-command';

const OURS = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647:glibc.malloc.hugetlb=1';

describe('malloc tunables for training processes', () => {
  it('sets mmap threshold 32 MiB, no trimming and huge pages when nothing is set', () => {
    expect(tunablesWith(undefined)).toBe(OURS);
    expect(tunablesWith('')).toBe(OURS);
  });

  it('keeps the user\'s settings and never overrides a tunable they chose', () => {
    const merged = tunablesWith('glibc.malloc.hugetlb=0:glibc.cpu.hwcaps=-AVX512F');
    expect(merged.split(':')).toEqual([
      'glibc.malloc.hugetlb=0', 'glibc.cpu.hwcaps=-AVX512F',
      'glibc.malloc.mmap_threshold=33554432', 'glibc.malloc.trim_threshold=2147483647',
    ]);
  });

  it('changes nothing off Linux or when switched off, and does not modify the env it is given', () => {
    const env = { PATH: '/bin' };
    expect(withMallocTunables(env, 'darwin')).toBe(env);
    expect(withMallocTunables(env, 'win32')).toBe(env);
    expect(withMallocTunables({ ...env, PEFT_LAB_MALLOC_TUNABLES: 'off' }, 'linux').GLIBC_TUNABLES).toBeUndefined();
    expect(withMallocTunables(env, 'linux').GLIBC_TUNABLES).toBe(OURS);
    expect(env).toEqual({ PATH: '/bin' });
  });

  it('restarts only the CLI commands that compute in their own process, once, on Linux', () => {
    const env = { PATH: '/bin' };
    for (const command of ['train', 'generate', 'perplexity']) expect(envForInProcessCompute(command, env, 'linux')?.GLIBC_TUNABLES).toBe(OURS);
    for (const command of ['serve', 'sweep', 'worker', 'plan', undefined]) expect(envForInProcessCompute(command, env, 'linux')).toBeNull();
    expect(envForInProcessCompute('train', env, 'darwin')).toBeNull();
    expect(envForInProcessCompute('train', { ...env, PEFT_LAB_MALLOC_TUNABLES: 'off' }, 'linux')).toBeNull();
    // The restarted process already has them: no second restart. A user who set all three keeps theirs, unrestarted.
    expect(envForInProcessCompute('train', { ...env, GLIBC_TUNABLES: OURS }, 'linux')).toBeNull();
    expect(envForInProcessCompute('train', { ...env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0:glibc.malloc.mmap_threshold=1:glibc.malloc.trim_threshold=1' }, 'linux')).toBeNull();
  });

  it.runIf(process.platform === 'linux')('reaches a run worker\'s environment, and glibc accepts every setting', () => {
    const { env } = workerCommand();
    expect(env.GLIBC_TUNABLES).toContain('glibc.malloc.hugetlb=1');
    // A process started with them runs (glibc ignores unknown or out-of-range tunables silently, so also check that
    // the values are within glibc's limits: the mmap threshold's maximum is 32 MiB on 64-bit).
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(process.env.GLIBC_TUNABLES)'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(env.GLIBC_TUNABLES);
    expect(Number(/mmap_threshold=(\d+)/.exec(r.stdout)![1])).toBeLessThanOrEqual(32 * 1024 * 1024);
  });
});
