// `peft-lab plan --method mora|ia3` as a person runs it (a real process per call, like test/cli/cli.test.ts), on
// the OpenLLaMA-3B model card: PEFT-style lines with the counts derived by hand in mora.test.ts / ia3.test.ts.
//   MoRA q,v (r = 8): 26 layers · 2 · 226² = 2,655,952 (226 is even, so type 6 is the same);
//   MoRA all-linear r = 8: 26 · (4 · 226² + 3 · 308²) = 12,711,296;  IA3 defaults: 26 · (2 · 3200 + 8640) = 391,040.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve(__dirname, '../../../bin/peft-lab.js');
const CARD = path.resolve(__dirname, '../../../resources/model-cards/open_llama_3b_v2');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('peft-lab plan for MoRA and IA3', () => {
  it.each([
    [['--method', 'mora', '--mora-type', '1'], 'trainable params: 2,655,952 || all params: 3,429,129,552 || trainable%: 0.0775', 'adapted modules: 52 (q_proj, v_proj)'],
    [['--method', 'mora', '--mora-type', '6'], 'trainable params: 2,655,952 || all params: 3,429,129,552 || trainable%: 0.0775', 'adapted modules: 52 (q_proj, v_proj)'],
    [['--method', 'mora', '--mora-type', '6', '--targets', 'all-linear'], 'trainable params: 12,711,296 || all params: 3,439,184,896 || trainable%: 0.3696',
      'adapted modules: 182 (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)'],
    [['--method', 'ia3'], 'trainable params: 391,040 || all params: 3,426,864,640 || trainable%: 0.0114', 'adapted modules: 78 (k_proj, v_proj, down_proj)'],
  ])('%j', (args, line, modules) => {
    const r = cli('plan', '--model', CARD, ...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(line);
    expect(lines[1]).toBe(modules);
  });

  it('prints the config it planned as JSON', () => {
    const json = JSON.parse(cli('plan', '--model', CARD, '--method', 'mora', '--mora-type', '6', '--r', '16', '--json').stdout);
    // r = 16: r̂ = ⌊√(6400·16) + 0.5⌋ = ⌊320.5⌋ = 320 (even); 26 · 2 · 320² = 5,324,800.
    expect(json).toMatchObject({ method: 'mora', config: { method: 'mora', r: 16, moraType: 6 }, trainableParams: 5_324_800, modules: 52 });
  });

  it('names a bad type and a flag the method does not use', () => {
    const bad = cli('plan', '--model', CARD, '--method', 'mora', '--mora-type', '5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--mora-type <t>' argument '5' is invalid. expected one of 1, 2, 3, 4, 6.");
    const wrong = cli('plan', '--model', CARD, '--method', 'ia3', '--mora-type', '1');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--mora-type applies to --method mora, not ia3');
  });
});
