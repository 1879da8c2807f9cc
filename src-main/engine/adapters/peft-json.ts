// Writes JSON the way Python's `json.dumps(obj, indent=2, sort_keys=True)` does (PEFT's adapter_config.json,
// peft-spec §6.2): sorted keys, 2-space indent, ": " and "," separators, non-ASCII escaped as \uXXXX, no
// trailing newline, and Python number formatting — ints as ints, floats in `repr` form (16.0, 0.05, 1e-05).
// Values that are Python floats are wrapped in PyFloat; plain JS numbers are written as ints when integral.

export class PyFloat {
  constructor(readonly value: number) {}
}

export const pyFloat = (v: number): PyFloat => new PyFloat(v);

/** Python's repr() of a float: shortest round-trip digits, exponent form when exp10 < −4 or ≥ 16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

function pyString(s: string): string {
  // ensure_ascii: everything outside 0x20…0x7e is escaped (JSON.stringify already handles < 0x20, quotes, backslash).
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function keyCompare(a: string, b: string): number {
  // Python sorts str keys by code point; JS < compares UTF-16 units, equal for the BMP.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function pythonJsonDumps(value: unknown, indent = 2, level = 0): string {
  const pad = ' '.repeat(indent * (level + 1));
  const close = ' '.repeat(indent * level);
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + pythonJsonDumps(v, indent, level + 1)).join(',\n')}\n${close}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort(keyCompare);
    if (keys.length === 0) return '{}';
    const items = keys.map((k) => `${pad}${pyString(k)}: ${pythonJsonDumps((value as Record<string, unknown>)[k], indent, level + 1)}`);
    return `{\n${items.join(',\n')}\n${close}}`;
  }
  throw new Error(`cannot serialise ${typeof value}`);
}
