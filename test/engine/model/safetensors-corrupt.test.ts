// A corpus of broken safetensors files, each built by hand; every one must be refused with
// SAFETENSORS_INVALID and a message naming the file (and the tensor when one is at fault).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile, parseSafetensorsHeader } from '../../../src-main/engine/model/safetensors';
import { f32Bytes, peftError, rawSafetensors, tempDir } from './st-fixtures';

const dir = tempDir();

const entry = (dtype: string, shape: number[], begin: number, end: number) =>
  `{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;
/** A valid two-tensor file: "a" F32 [2] at 0..8, "b" F32 [1] at 8..12. */
const goodHeader = `{"a":${entry('F32', [2], 0, 8)},"b":${entry('F32', [1], 8, 12)}}`;
const goodData = f32Bytes([1, 2, 3]);
const good = rawSafetensors(goodHeader, goodData);
const utf8 = (s: string) => new TextEncoder().encode(s);

interface Case {
  name: string;
  bytes: Uint8Array;
  /** Text the message must contain besides the file name (usually the tensor name). */
  mentions?: string[];
}

const cases: Case[] = [
  { name: 'empty file', bytes: new Uint8Array(0) },
  { name: 'shorter than 8 bytes', bytes: good.subarray(0, 5) },
  { name: 'header length 0', bytes: rawSafetensors('', new Uint8Array(8), 0n) },
  { name: 'header length over 100,000,000', bytes: rawSafetensors(goodHeader, goodData, 100_000_001n) },
  { name: 'header length 2^63 (u64 beyond JS numbers)', bytes: rawSafetensors(goodHeader, goodData, 1n << 63n) },
  {
    name: 'header length lies (beyond the file end)',
    bytes: rawSafetensors(goodHeader, goodData, BigInt(utf8(goodHeader).length + goodData.length + 1)),
  },
  { name: 'truncated data section', bytes: good.subarray(0, good.length - 4), mentions: ['"b"'] },
  {
    name: 'non-UTF-8 header',
    bytes: (() => {
      const b = rawSafetensors(`{"a\u00ff":${entry('F32', [3], 0, 12)}}`, goodData);
      const i = b.indexOf(0xc3); // ÿ = c3 bf in UTF-8: make the lead byte invalid (0xff)
      b[i] = 0xff;
      return b;
    })(),
  },
  { name: 'header starts with a space', bytes: rawSafetensors(` ${goodHeader}`, goodData) },
  { name: 'header starts with a byte-order mark', bytes: rawSafetensors(`\ufeff${goodHeader}`, goodData) },
  { name: 'header is a JSON array', bytes: rawSafetensors('[1,2]   ', goodData) },
  { name: 'header is not JSON', bytes: rawSafetensors('{"a":{"dtype":', goodData) },
  {
    name: 'entry is not an object',
    bytes: rawSafetensors(`{"a":[1,2]}`, new Uint8Array(0)),
    mentions: ['"a"'],
  },
  {
    name: 'entry without data_offsets',
    bytes: rawSafetensors(`{"a":{"dtype":"F32","shape":[3]}}`, goodData),
    mentions: ['"a"'],
  },
  { name: 'unknown dtype', bytes: rawSafetensors(`{"a":${entry('F17', [3], 0, 12)}}`, goodData), mentions: ['"a"', 'F17'] },
  { name: 'negative dimension', bytes: rawSafetensors(`{"a":${entry('F32', [-3], 0, 12)}}`, goodData), mentions: ['"a"'] },
  { name: 'fractional dimension', bytes: rawSafetensors(`{"a":${entry('F32', [1.5, 2], 0, 12)}}`, goodData), mentions: ['"a"'] },
  {
    name: 'size mismatch (shape [2,2] of F32 needs 16 bytes, offsets span 12)',
    bytes: rawSafetensors(`{"a":${entry('F32', [2, 2], 0, 12)}}`, goodData),
    mentions: ['"a"', '16', '12'],
  },
  {
    name: 'wrong dtype for the byte count (F64 [2] needs 16 bytes)',
    bytes: rawSafetensors(`{"a":${entry('F64', [2], 0, 8)},"b":${entry('F32', [1], 8, 12)}}`, goodData),
    mentions: ['"a"', 'F64'],
  },
  {
    name: 'huge shape (numel overflows 2^53)',
    bytes: rawSafetensors(`{"a":${entry('F32', [2 ** 30, 2 ** 30, 2 ** 30], 0, 12)}}`, goodData),
    mentions: ['"a"'],
  },
  {
    name: 'sub-byte dtype with an odd count (3 × F4 = 12 bits)',
    bytes: rawSafetensors(`{"a":${entry('F4', [3], 0, 2)}}`, new Uint8Array(2)),
    mentions: ['"a"'],
  },
  {
    name: 'offsets out of range',
    bytes: rawSafetensors(`{"a":${entry('F32', [2], 0, 8)},"b":${entry('F32', [2], 8, 16)}}`, goodData),
    mentions: ['"b"'],
  },
  {
    name: 'begin after end',
    bytes: rawSafetensors(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[12,0]}}`, goodData),
    mentions: ['"a"'],
  },
  {
    name: 'overlapping tensors',
    bytes: rawSafetensors(`{"a":${entry('F32', [2], 0, 8)},"b":${entry('F32', [2], 4, 12)}}`, goodData),
    mentions: ['"a"', '"b"'],
  },
  {
    name: 'gap between tensors',
    bytes: rawSafetensors(`{"a":${entry('F32', [1], 0, 4)},"b":${entry('F32', [1], 8, 12)}}`, goodData),
    mentions: ['"a"', '"b"'],
  },
  {
    name: 'gap at the start of the data',
    bytes: rawSafetensors(`{"b":${entry('F32', [2], 4, 12)}}`, goodData),
    mentions: ['"b"'],
  },
  {
    name: 'trailing bytes after the last tensor',
    bytes: rawSafetensors(goodHeader, new Uint8Array([...goodData, 0, 0, 0, 0])),
  },
  {
    name: 'duplicate tensor names',
    bytes: rawSafetensors(`{"a":${entry('F32', [2], 0, 8)},"a":${entry('F32', [1], 8, 12)}}`, goodData),
    mentions: ['"a"'],
  },
  {
    name: 'entry nested 100,000 lists deep (was a RangeError while building the message)',
    bytes: rawSafetensors(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, goodData),
    mentions: ['"a"'],
  },
  {
    name: 'shape that would need 256 TiB (F32 [2^20, 2^20, 2^6]) in a 12-byte data section',
    bytes: rawSafetensors(`{"a":${entry('F32', [2 ** 20, 2 ** 20, 2 ** 6], 0, 2 ** 48)}}`, goodData),
    mentions: ['"a"'],
  },
  { name: 'metadata is a list', bytes: rawSafetensors(`{"__metadata__":["pt"],"a":${entry('F32', [3], 0, 12)}}`, goodData), mentions: ['__metadata__'] },
  {
    name: 'metadata value not a string',
    bytes: rawSafetensors(`{"__metadata__":{"format":1},"a":${entry('F32', [3], 0, 12)}}`, goodData),
    mentions: ['format'],
  },
];

describe('corrupt safetensors files', () => {
  it('the base file is valid', () => {
    expect(parseSafetensorsHeader(good, good.length, 'good').tensors.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const c = cases[i];
    const file = path.join(dir, `corrupt-${i}.safetensors`);
    fs.writeFileSync(file, c.bytes);
    const err = await peftError(() => SafetensorsFile.open(file), 'SAFETENSORS_INVALID');
    expect(err.message).toContain(file);
    for (const m of c.mentions ?? []) expect(err.message).toContain(m);
    // The in-memory parser gives the same verdict.
    const mem = await peftError(() => parseSafetensorsHeader(c.bytes, c.bytes.length, 'in-memory.safetensors'),
      'SAFETENSORS_INVALID');
    expect(mem.message).toContain('in-memory.safetensors');
  });
});
