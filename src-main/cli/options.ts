// Option parsers for the CLI: each turns a flag value into a typed value or raises commander's
// InvalidArgumentError with what was expected, so a bad flag reads "error: option '--r <n>' argument 'x' is invalid. …".
import { InvalidArgumentError } from 'commander';
import { BACKEND_CHOICES } from '../../src-shared/domain/run-spec';
import type { BackendChoice } from '../../src-shared/domain/run-spec';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return n;
}

export function probability(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a number in [0, 1).');
  return n;
}

export function topP(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError('expected a number in (0, 1].');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0.');
  return n;
}

export function idList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const ids = parts.map(Number);
  if (parts.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError('expected comma-separated token ids, e.g. 1,2,3.');
  }
  return ids;
}

export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected comma-separated module names, e.g. q_proj,v_proj, or all-linear.');
  return names;
}

export function backendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  return value as BackendChoice;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--targets all-linear` → the string; `q_proj,v_proj` → a list. */
export function targetSpec(names: string[] | undefined): string[] | string | undefined {
  if (!names) return undefined;
  return names.length === 1 && names[0].toLowerCase() === 'all-linear' ? 'all-linear' : names;
}
