// Target-module patterns from adapter configs and sweep specs (targets.ts): Python re.fullmatch semantics for a
// string target, PEFT's `(.*\.)?(KEY)$` lookup for rank_pattern keys, and RE2 matching, so that a pattern with
// nested repetition cannot stall loading. Expected module sets are written out from the names below.
import { describe, expect, it } from 'vitest';
import { fullRegex, patternValue, resolveTargets } from '../../../src-main/engine/adapters/targets';
import type { LinearModuleInfo } from '../../../src-main/engine/model/architectures/types';
import { PeftLabError } from '../../../src-shared/errors';

const SHORT = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const modules: LinearModuleInfo[] = [
  ...[0, 1, 10].flatMap((layer) => SHORT.map((s) => ({
    name: `model.layers.${layer}.${['gate_proj', 'up_proj', 'down_proj'].includes(s) ? 'mlp' : 'self_attn'}.${s}`,
    shortName: s, inFeatures: 8, outFeatures: 8, bias: false, layer,
  }))),
  { name: 'lm_head', shortName: 'lm_head', inFeatures: 8, outFeatures: 32, bias: false, layer: null },
];
const names = (targets: string | string[], exclude?: string | string[]) => resolveTargets(modules, targets, { exclude }).map((m) => m.name);

function errorOf(fn: () => unknown): PeftLabError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PeftLabError) return e;
    throw e;
  }
  throw new Error('expected a PeftLabError');
}

describe('target patterns', () => {
  it('a string target must match the whole module name (re.fullmatch)', () => {
    expect(names(String.raw`.*\.(q|v)_proj`)).toEqual([
      'model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj', 'model.layers.10.self_attn.q_proj', 'model.layers.10.self_attn.v_proj',
    ]);
    expect(names(String.raw`model\.layers\.1\.mlp\.(up|down)_proj`)).toEqual(['model.layers.1.mlp.up_proj', 'model.layers.1.mlp.down_proj']);
    // A bare "q_proj" as a string is a regex for the full name, which no module has: an error, not a silent no-op.
    expect(errorOf(() => names('q_proj')).code).toBe('UNKNOWN_TARGET_MODULE');
    // Alternation at the top level is inside the full match: "a|b" means ^(?:a|b)$, not ^a|b$.
    expect(names(String.raw`lm_head|model\.layers\.0\.self_attn\.o_proj`)).toEqual(['model.layers.0.self_attn.o_proj', 'lm_head']);
  });

  it('an exclude pattern removes full-name matches', () => {
    expect(names(['q_proj'], String.raw`model\.layers\.1\d*\..*`)).toEqual(['model.layers.0.self_attn.q_proj']);
  });

  it('rank_pattern keys match a name ending in ".KEY" (or the whole name), first key wins', () => {
    const pattern = { 'layers.1.self_attn.q_proj': 4, v_proj: 2 };
    expect(patternValue(pattern, 'model.layers.1.self_attn.q_proj', 8)).toBe(4);
    expect(patternValue(pattern, 'model.layers.10.self_attn.q_proj', 8)).toBe(8); // "layers.1." is not "layers.10."
    expect(patternValue(pattern, 'model.layers.0.self_attn.v_proj', 8)).toBe(2);
    expect(patternValue({ q_proj: 3 }, 'model.layers.0.self_attn.xq_proj', 8)).toBe(8); // no dot before q_proj
    expect(patternValue({ 'layers\\.(0|1)\\..*': 5 }, 'model.layers.0.mlp.up_proj', 8)).toBe(5);
  });

  it('a pattern with nested repetition is matched in linear time (it would backtrack for hours on RegExp)', () => {
    // On JavaScript's RegExp, ^(?:([a-z_.0-9]+)+!)$ against a 30-character name takes about 30 s, doubling with
    // each further character; the names here are up to 32. RE2 answers at once; vitest's timeout is the guard.
    const e = errorOf(() => names('([a-z_.0-9]+)+!'));
    expect(e.code).toBe('UNKNOWN_TARGET_MODULE');
    expect(names('([a-z_.0-9]+)+_proj').length).toBe(21);
    expect(patternValue({ '([a-z_.0-9]+)+!': 3 }, 'model.layers.10.self_attn.q_proj', 8)).toBe(8);
  });

  it('refuses a pattern RE2 cannot run, naming the field, the pattern and why', () => {
    const look = errorOf(() => fullRegex('(?!lm_head).*', 'target_modules'));
    expect(look.code).toBe('BAD_ARGUMENT');
    expect(look.message).toMatch(/^target_modules: "\(\?!lm_head\)\.\*" is not a valid regular expression/);
    expect(look.message).toContain('no lookaround or backreferences');
    expect(errorOf(() => patternValue({ '(q_proj': 2 }, 'model.layers.0.self_attn.q_proj', 8, 'alpha_pattern')).message)
      .toMatch(/^alpha_pattern key: "\(q_proj" is not a valid regular expression \(.*missing closing \)/);
  });
});
