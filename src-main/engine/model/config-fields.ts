// Typed, checked reads of config.json fields. Every problem is a CONFIG_INVALID that names the file, the
// field, what was found and what to write instead.

import { PeftLabError } from '../../../src-shared/errors';
import { previewValue } from '../../../src-shared/preview';

export interface IntRule {
  /** Smallest allowed value (default 1). */
  min?: number;
  /** Largest sensible value; larger is rejected as absurd. */
  max: number;
  /** What the field means, for messages ("the hidden width"). */
  meaning?: string;
}

export class ConfigFields {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly label: string,
  ) {}

  error(field: string, problem: string, fix: string): PeftLabError {
    return new PeftLabError('CONFIG_INVALID', `${this.label}: field "${field}" ${problem}. ${fix}`, {
      file: this.label,
      field,
    });
  }

  /** A value is absent when the key is missing or null (HF treats both as "use the default"). */
  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  requiredInt(key: string, rule: IntRule): number {
    if (!this.has(key)) {
      const what = rule.meaning ? ` (${rule.meaning})` : '';
      throw this.error(key, `is missing${what}`, `Add "${key}" to config.json; it is required to build the model.`);
    }
    return this.checkInt(key, this.raw[key], rule);
  }

  int(key: string, fallback: number, rule: IntRule): number {
    return this.has(key) ? this.checkInt(key, this.raw[key], rule) : fallback;
  }

  checkInt(key: string, v: unknown, rule: IntRule): number {
    const min = rule.min ?? 1;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw this.error(key, `must be an integer, got ${show(v)}`, `Write a whole number (>= ${min}).`);
    }
    if (v < min) throw this.error(key, `must be >= ${min}, got ${v}`, `Use a value of at least ${min}.`);
    if (v > rule.max) {
      throw this.error(key, `is ${v}, which is absurdly large (limit ${rule.max})`,
        'Check for a typo or a config of the wrong model.');
    }
    return v;
  }

  /** A finite number > 0 (and < `below` when given). */
  positive(key: string, fallback: number, below = Infinity): number {
    if (!this.has(key)) return fallback;
    return this.checkPositive(key, this.raw[key], below);
  }

  checkPositive(key: string, v: unknown, below = Infinity): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= below) {
      const range = below === Infinity ? 'a positive number' : `a positive number below ${below}`;
      throw this.error(key, `must be ${range}, got ${show(v)}`, `Write ${range}.`);
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const v = this.raw[key];
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false, got ${show(v)}`, 'Write true or false.');
    return v;
  }

  optString(key: string): string | null {
    if (!this.has(key)) return null;
    const v = this.raw[key];
    if (typeof v !== 'string') throw this.error(key, `must be a string, got ${show(v)}`, 'Write a string or remove the field.');
    return v;
  }

  stringList(key: string): string[] {
    if (!this.has(key)) return [];
    const v = this.raw[key];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
      throw this.error(key, `must be a list of strings, got ${show(v)}`, 'Write e.g. ["LlamaForCausalLM"].');
    }
    return v.slice();
  }

  /** A token id: a non-negative integer or null. Missing → `fallback`. */
  tokenId(key: string, fallback: number | null): number | null {
    if (!(key in this.raw)) return fallback;
    const v = this.raw[key];
    if (v === null) return null;
    return this.checkTokenId(key, v);
  }

  /** A token id or a list of them (eos_token_id may be either). Missing → `fallback`. */
  tokenIds(key: string, fallback: number[]): number[] {
    if (!(key in this.raw)) return fallback;
    const v = this.raw[key];
    if (v === null) return [];
    if (Array.isArray(v)) return v.map((x) => this.checkTokenId(key, x));
    return [this.checkTokenId(key, v)];
  }

  private checkTokenId(key: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw this.error(key, `must be a token id (an integer >= 0), a list of them or null, got ${show(v)}`,
        'Write the token id from the tokenizer.');
    }
    return v;
  }
}

export function show(v: unknown): string {
  return previewValue(v, 60);
}
