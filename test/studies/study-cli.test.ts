// `peft-lab study list` and a smoke run of `peft-lab study run` (the MoRA preset, 2 updates per run) as a person
// runs them: a real process, a fresh data folder, the verdict table at the end computed from what was stored.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';

const BIN = path.resolve(__dirname, '../../bin/peft-lab.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-study-cli-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PEFT_LAB_DATA: path.join(root, 'default') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('peft-lab study', () => {
  it('lists the four presets with question, finding and citation, with their run sizes', () => {
    const text = cli('study', 'list');
    expect(text.code).toBe(0);
    for (const id of ['which-r-modules', 'mora-memorisation', 'rank-saturation', 'soft-prompts']) expect(text.stdout).toContain(`${id} — `);
    expect(text.stdout).toContain('arXiv:2405.12130');
    expect(text.stdout).toContain('Databricks');
    expect(text.stdout).toMatch(/quick: 8 runs × 40 updates · full: 16 runs × 120 updates/);
  });

  it('refuses an unknown preset by name', () => {
    const r = cli('study', 'run', 'no-such-study', '--data-dir', path.join(root, 'x'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('there is no study preset "no-such-study"');
  });

  it('runs the MoRA preset headless (2 updates, one seed) and prints a verdict computed from the stored runs', () => {
    const data = path.join(root, 'data');
    const r = cli('study', 'run', 'mora-memorisation', '--quick', '--steps', '2', '--seeds', '42', '--data-dir', data);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mora · r=8 · attention q,v · 32-bit: running step 0\/2/);
    const out = r.stdout.split('\n');
    // PEFT's trainable counts of the matched pair (hand-derived in param-counts.test.ts)
    expect(out.find((l) => l.startsWith('lora · r=8'))).toMatch(/16,384\s+1\s+0\.\d{3}\s+0\.\d{3}\s+\d+\.\d{4}$/);
    expect(out.find((l) => l.startsWith('mora · r=8'))).toMatch(/16,200\s+1\s+0\.\d{3}/);
    expect(r.stdout).toContain('2 of 2 runs finished; one seed, so a stated tolerance decides what is noise');
    expect(out.filter((l) => /^(AGREES|DISAGREES|WITHIN SEED NOISE): /.test(l))).toHaveLength(3);
    expect(out.some((l) => l.startsWith('verdict: High rank for memorisation: '))).toBe(true);
    // the character accuracy the verdict read is in the store, one point per evaluation (the final one)
    const store = openStore(path.join(data, 'peft-lab.db'), { keepInFlight: true });
    try {
      const sweep = store.sweeps.list().find((s) => s.spec.study?.preset === 'mora-memorisation')!;
      const runs = store.runs.list({ sweepId: sweep.id });
      for (const run of runs) {
        const acc = store.metrics.series(run.id, 'char_accuracy');
        expect(acc.map((p) => p.step)).toEqual([2]);
        expect(acc[0].value).toBeGreaterThanOrEqual(0);
        expect(acc[0].value).toBeLessThanOrEqual(1);
      }
      expect(fs.readFileSync(sweep.spec.dataset.path, 'utf8').trim().split('\n')).toHaveLength(16);
    } finally {
      store.close();
    }
  }, 100_000);
});
