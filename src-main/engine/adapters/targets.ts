// Which modules an adapter wraps, by PEFT's rules (peft-spec §1.2; PEFT tuners_utils.py
// `check_target_module_exists`, `_maybe_include_all_linear_layers`): exclusion first; a list matches a module
// whose full name equals an entry or ends with "." + entry; a string (other than "all-linear") must match the full
// name as a regular expression; "all-linear" is every linear module except the output layer (lm_head).
// PEFT only fails when nothing matches at all; here every list entry must match something, because a typo that
// silently adapts fewer modules costs a person a whole run.
// Patterns come from files (adapter_config.json from the Hub, sweep specs), so they run on RE2 (re2js), whose
// matching time is linear in the name's length: a pattern like (a+)+$ cannot stall loading, as it could on
// JavaScript's backtracking RegExp. RE2 has Python's syntax minus lookaround and backreferences, which PEFT's
// own patterns do not use; a pattern that needs them is refused with the reason.
import { RE2JS } from 're2js';
import { PeftLabError } from '../../../src-shared/errors';
import type { LinearModuleInfo } from '../model/architectures/types';

export type TargetSpec = string[] | string;

function matchesList(name: string, entries: string[]): boolean {
  return entries.some((e) => name === e || name.endsWith(`.${e}`));
}

/** A compiled pattern: `test(name)` is true when the whole name matches. */
export interface NameMatcher {
  test(name: string): boolean;
}

/** `source` compiled; a pattern that does not compile is a BAD_ARGUMENT naming `where` and the pattern as written. */
function compile(source: string, pattern: string, where: string): NameMatcher {
  try {
    const re = RE2JS.compile(source);
    return { test: (name) => re.matches(name) };
  } catch (e) {
    throw new PeftLabError('BAD_ARGUMENT', `${where}: "${pattern.slice(0, 200)}" is not a valid regular expression ` +
      `(${(e as Error).message.slice(0, 200)}; patterns run on RE2: no lookaround or backreferences)`);
  }
}

/** A matcher for names that `pattern` matches in full (Python's re.fullmatch). */
export function fullRegex(pattern: string, where: string): NameMatcher {
  return compile(`(?:${pattern})`, pattern, where);
}

export function isAllLinear(t: TargetSpec): boolean {
  return typeof t === 'string' && t.toLowerCase() === 'all-linear';
}

/** Resolves target (and exclude) specs to the matching linear modules, in model order. */
export function resolveTargets(
  modules: LinearModuleInfo[],
  targets: TargetSpec,
  opts: { exclude?: TargetSpec | null; where?: string; layers?: number[] | null } = {},
): LinearModuleInfo[] {
  const where = opts.where ?? 'target_modules';
  const excluded = (name: string) => {
    const ex = opts.exclude;
    if (ex == null) return false;
    return typeof ex === 'string' ? fullRegex(ex, 'exclude_modules').test(name) : matchesList(name, ex);
  };
  let picked: LinearModuleInfo[];
  if (isAllLinear(targets)) {
    picked = modules.filter((m) => m.name !== 'lm_head');
  } else if (typeof targets === 'string') {
    const re = fullRegex(targets, where);
    picked = modules.filter((m) => re.test(m.name));
    if (picked.length === 0) throw unknownTarget([targets], modules, where);
  } else {
    if (targets.length === 0) throw new PeftLabError('UNKNOWN_TARGET_MODULE', `${where} is empty; name at least one module (e.g. q_proj) or use "all-linear"`);
    const missing = targets.filter((t) => !modules.some((m) => matchesList(m.name, [t])));
    if (missing.length) throw unknownTarget(missing, modules, where);
    picked = modules.filter((m) => matchesList(m.name, targets));
  }
  if (opts.layers) picked = picked.filter((m) => m.layer !== null && opts.layers!.includes(m.layer));
  picked = picked.filter((m) => !excluded(m.name));
  if (picked.length === 0) {
    throw new PeftLabError('UNKNOWN_TARGET_MODULE', `${where}: every matching module was excluded; nothing would be adapted`);
  }
  return picked;
}

function unknownTarget(missing: string[], modules: LinearModuleInfo[], where: string): PeftLabError {
  const short = [...new Set(modules.map((m) => m.shortName))];
  return new PeftLabError('UNKNOWN_TARGET_MODULE',
    `${where}: ${missing.map((m) => `"${m}"`).join(', ')} matches no linear module of this model; ` +
    `its linear modules are ${short.join(', ')} (full names like ${modules[0]?.name ?? '?'}), or use "all-linear"`,
    { missing, available: short });
}

/**
 * PEFT's saved form of a target list: the set of last components when every module with that component is a
 * target (what `_find_minimal_target_modules` yields for LLaMA-style names), else the full names. Sorted.
 */
export function savedTargetNames(modules: LinearModuleInfo[], picked: LinearModuleInfo[]): string[] {
  const pickedNames = new Set(picked.map((m) => m.name));
  const shorts = [...new Set(picked.map((m) => m.shortName))];
  const out: string[] = [];
  for (const s of shorts) {
    const all = modules.filter((m) => m.shortName === s);
    if (all.every((m) => pickedNames.has(m.name))) out.push(s);
    else out.push(...picked.filter((m) => m.shortName === s).map((m) => m.name));
  }
  return out.sort();
}

/** PEFT's per-module override lookup for rank_pattern / alpha_pattern: key matched by `(.*\.)?(KEY)$`. */
export function patternValue(pattern: Record<string, number> | undefined, moduleName: string, fallback: number, where = 'rank_pattern'): number {
  if (!pattern) return fallback;
  for (const [key, value] of Object.entries(pattern)) {
    if (compile(`(.*\\.)?(${key})`, key, `${where} key`).test(moduleName)) return value;
  }
  return fallback;
}
