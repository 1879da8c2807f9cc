// Hostile safetensors files (issue 9): random bytes, byte-level damage to a valid file, headers generated field by
// field (any dtype, shape, data_offsets, __metadata__), sizes whose byte count passes 2^53 or would need terabytes.
// Each ends in SAFETENSORS_INVALID naming the file, or parses to a header whose tensors exactly tile the data
// section with dtype × shape bytes each. The hand-written corpus is in test/engine/model/safetensors-corrupt.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ST_DTYPES, SafetensorsFile, parseSafetensorsHeader, serializeSafetensors, tensorByteSize } from '../../src-main/engine/model/safetensors';
import type { StHeader } from '../../src-main/engine/model/safetensors';
import { hostileJson, hostileNumber, jsonText, mutatedBytes, nestedArray, utf8 } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily, fuzzTempDir } from './fuzz-kit';

const fuzz = fuzzFamily('safetensors');
const dir = fuzzTempDir('st');

const LABEL = 'fuzz.safetensors';
const RULE = { codes: ['SAFETENSORS_INVALID'] as const, mentions: [LABEL] };

/** Raw file: u64 LE length (or `n`), header text, data. */
function rawFile(header: string, data: Uint8Array, n?: bigint): Uint8Array {
  const json = utf8(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** What a header the parser accepted must satisfy (peft-spec §7.4). */
function checkAccepted(h: StHeader, fileSize: number): void {
  let cursor = 0;
  for (const t of h.tensors) {
    expect(t.begin).toBe(cursor);
    expect(tensorByteSize(t.dtype, t.shape)).toBe(t.end - t.begin);
    cursor = t.end;
  }
  expect(h.dataStart + cursor).toBe(fileSize);
}

function parse(bytes: Uint8Array): StHeader {
  return parseSafetensorsHeader(bytes, bytes.length, LABEL);
}

/** A valid file: 1–4 small tensors of random float/int dtypes, written by the project's writer. */
const validFile = fc.array(
  fc.record({ dtype: fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'U8', 'I8'), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }) }),
  { minLength: 1, maxLength: 4 },
).map((ts) => {
  const tensors = ts.map((t, i) => {
    const size = tensorByteSize(t.dtype as 'F32', t.shape) as number;
    return { name: `t${i}`, dtype: t.dtype as 'F32', shape: t.shape, data: new Uint8Array(size).fill(i + 1) };
  });
  return serializeSafetensors(tensors, { format: 'pt' });
});

const dtypeArb = fc.oneof(fc.constantFrom(...ST_DTYPES), fc.constantFrom('F17', 'f32', '', 'FLOAT', 'Q4_0'), hostileJson);
const dimArb = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(2 ** 20, 2 ** 30, 2 ** 31, 2 ** 40), hostileNumber);
const entryArb = fc.record({
  dtype: dtypeArb,
  shape: fc.oneof({ weight: 5, arbitrary: fc.array(dimArb, { maxLength: 4 }) }, { weight: 1, arbitrary: hostileJson }),
  data_offsets: fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.oneof(fc.integer({ min: 0, max: 64 }), hostileNumber), fc.oneof(fc.integer({ min: 0, max: 64 }), hostileNumber)) },
    { weight: 1, arbitrary: hostileJson },
  ),
}, { requiredKeys: [] });

describe('safetensors: generated input', () => {
  it('random bytes are refused or parsed, never crash', async () => {
    await fuzz.check(fc.asyncProperty(fc.uint8Array({ maxLength: 96 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), async (bytes, n, lie) => {
      const b = bytes.slice();
      if (lie && b.length >= 8) new DataView(b.buffer).setBigUint64(0, n, true);
      await acceptOrClear(() => checkAccepted(parse(b), b.length), RULE); return true;
    }), 400);
  });

  it('byte-level damage to a valid file (truncate, overwrite, insert, delete) ends in a clear error or a consistent header', async () => {
    const damaged = validFile.chain((file) => mutatedBytes(file, Math.min(file.length, 8 + new DataView(file.buffer).getUint32(0, true) + 8)));
    await fuzz.check(fc.asyncProperty(damaged, async (b) => {
      await acceptOrClear(() => checkAccepted(parse(b), b.length), RULE);
      return true;
    }), 400);
  });

  it('headers built field by field: any dtype, shape, data_offsets', async () => {
    const header = fc.dictionary(fc.string({ maxLength: 6 }), entryArb, { minKeys: 1, maxKeys: 4 });
    await fuzz.check(fc.asyncProperty(header, fc.integer({ min: 0, max: 128 }), async (h, dataLength) => {
      const bytes = rawFile(jsonText(h), new Uint8Array(dataLength));
      await acceptOrClear(() => checkAccepted(parse(bytes), bytes.length), RULE); return true;
    }), 500);
  });

  it('__metadata__ of any JSON value: an object of strings or a clear error naming __metadata__', async () => {
    await fuzz.check(fc.asyncProperty(hostileJson, async (meta) => {
      const text = `{"__metadata__":${jsonText(meta)},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
      await acceptOrClear(() => parse(rawFile(text, new Uint8Array(1))), { ...RULE, mentions: [LABEL, '__metadata__'] }); return true;
    }), 150);
  });

  it('header bytes that are not UTF-8 are refused as such', async () => {
    const bad = fc.oneof(fc.constantFrom(0xff, 0xfe, 0xc0, 0xc1, 0xf5), fc.integer({ min: 0x80, max: 0xbf }));
    await fuzz.check(fc.asyncProperty(bad, fc.integer({ min: 1, max: 20 }), async (byte, at) => {
      const text = '{"abcdefghijklmnopqrstuvwxyz":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
      const b = rawFile(text, new Uint8Array(1));
      b[8 + at] = byte;
      await expectRefused(() => parse(b), { ...RULE, mentions: [LABEL, 'UTF-8'] }); return true;
    }), 60);
  });

  it('shapes whose byte count passes 2^53 or needs terabytes are refused before any tensor is read', async () => {
    const bigShape = fc.array(fc.integer({ min: 2 ** 10, max: 2 ** 31 }), { minLength: 2, maxLength: 4 });
    await fuzz.check(fc.asyncProperty(bigShape, fc.constantFrom(...ST_DTYPES), async (shape, dtype) => {
      const bits = shape.reduce((a, d) => a * BigInt(d), 1n) * BigInt(dtype === 'F4' ? 4 : dtype.startsWith('F6') ? 6 : 8);
      const end = bits / 8n;
      fc.pre(end >= 1n << 33n); // at least 8 GiB
      const endJson = end <= BigInt(Number.MAX_SAFE_INTEGER) ? String(end) : end.toString(); // JSON integer, maybe beyond 2^53
      const header = `{"huge":{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":[0,${endJson}]}}`;
      const file = path.join(dir, 'huge.safetensors');
      fs.writeFileSync(file, rawFile(header, new Uint8Array(16)));
      const before = process.memoryUsage().arrayBuffers;
      await expectRefused(() => SafetensorsFile.open(file), { codes: ['SAFETENSORS_INVALID'], mentions: [file, '"huge"'] });
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
      return true;
    }), 40);
  });

  it('a JSON value nested 100,000 deep as a tensor entry or shape is refused, not a stack overflow', async () => {
    for (const where of ['entry', 'shape', 'dtype', 'metadata'] as const) {
      const deep = JSON.stringify(nestedArray(2000)).replace(/^\[/, '['.repeat(98_001)).replace(/\]$/, ']'.repeat(98_001));
      const text = where === 'entry' ? `{"a":${deep}}`
        : where === 'metadata' ? `{"__metadata__":${deep}}`
          : `{"a":{"dtype":${where === 'dtype' ? deep : '"U8"'},"shape":${where === 'shape' ? deep : '[1]'},"data_offsets":[0,1]}}`;
      await expectRefused(() => parse(rawFile(text, new Uint8Array(1))), RULE);
    }
    fuzz.count(4);
  });
});
