// Generators of hostile input shared by the bad-input tests: JSON values with the shapes that break naive code
// (deep nesting, huge/negative/fractional numbers, prototype keys, giant strings), numbers for size fields, and
// byte-level mutations (truncate, overwrite, insert, delete) of a valid file.
import fc from 'fast-check';

/** `[[[…]]]` nested `depth` deep, built without recursion. */
export function nestedArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  // fast-check prints counterexamples recursively: give it a short name instead; jsonText writes it flat.
  Object.defineProperty(v, fc.toStringMethod, { value: () => `nestedArray(${depth})` });
  Object.defineProperty(v, NESTED_DEPTH, { value: depth });
  return v;
}

const NESTED_DEPTH = Symbol('nested depth');

/** JSON.stringify that also writes `nestedArray` values (JSON.stringify itself overflows the stack on them). */
export function jsonText(v: unknown): string {
  if (Array.isArray(v)) {
    const depth = (v as unknown as Record<symbol, number | undefined>)[NESTED_DEPTH];
    if (depth !== undefined) return '['.repeat(depth) + ']'.repeat(depth);
    return `[${v.map((x) => (x === undefined ? 'null' : jsonText(x))).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Numbers a size/count field must survive: 0, negatives, fractions, powers of two around 2^31/2^53, extremes. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, -0, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE),
  fc.integer({ min: -1000, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const prototypeKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');

const shallowHostile = [
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, '', [], {}, 'x'.repeat(200_000), '\ud800', '\u0000') },
  { weight: 1, arbitrary: fc.dictionary(prototypeKeys, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
];

/** Any JSON value, weighted towards the shapes that break parsers. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  ...shallowHostile,
  { weight: 1, arbitrary: fc.integer({ min: 6_000, max: 12_000 }).map(nestedArray) },
);

/**
 * hostileJson without the deep nesting, for values sent through a structured-cloning transport (HostClient over
 * the memory or MessagePort transport), whose sending side overflows the stack on them before the host sees them.
 */
export const cloneableHostileJson: fc.Arbitrary<unknown> = fc.oneof(...shallowHostile);

/** An object that keeps `base`'s keys but replaces, drops or adds some with hostile values. */
export function mutatedObject(base: Record<string, unknown>, extraKeys: readonly string[] = [], values = hostileJson): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...Object.keys(base), ...extraKeys];
  const edit = fc.record({
    key: fc.constantFrom(...keys),
    action: fc.constantFrom('replace', 'replace', 'delete', 'null'),
    value: values,
  });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const out: Record<string, unknown> = { ...base };
    for (const e of edits) {
      if (e.action === 'delete') delete out[e.key];
      else Object.defineProperty(out, e.key, { value: e.action === 'null' ? null : e.value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
}

type ByteEdit =
  | { op: 'truncate'; at: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

function applyEdit(b: Uint8Array, e: ByteEdit): Uint8Array {
  const at = b.length === 0 ? 0 : e.at % (b.length + 1);
  switch (e.op) {
    case 'truncate':
      return b.subarray(0, at);
    case 'set': {
      const out = b.slice();
      if (at < out.length) out[at] = e.value;
      return out;
    }
    case 'insert':
      return Uint8Array.from([...b.subarray(0, at), ...e.bytes, ...b.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + e.length)]);
  }
}

/** `base` with 1–3 random byte edits; `focus` (bytes) biases positions towards the start (e.g. the header). */
export function mutatedBytes(base: Uint8Array, focus = base.length): fc.Arbitrary<Uint8Array> {
  const edit = byteEdit.map((e) => ({ ...e, at: e.at % Math.max(1, focus + 1) }) as ByteEdit);
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce(applyEdit, base));
}

/** UTF-8 bytes of a text. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
