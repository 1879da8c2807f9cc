import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SafetensorsFile,
  serializeSafetensors,
  writeSafetensorsFile,
} from '../../../src-main/engine/model/safetensors';
import type { StWriteTensor } from '../../../src-main/engine/model/safetensors';
import { peftError, tempDir } from './st-fixtures';

const dir = tempDir();

describe('serializeSafetensors: exact bytes (peft-spec §7.4)', () => {
  it('writes two tensors of different dtypes exactly like the Rust writer', () => {
    // Tensors: "a" F16 shape [1,2] = [1.0, 0.5]; "b" F32 shape [2] = [1.0, -2.0]; metadata {"format":"pt"}.
    // Order: dtype descending in enum order, F32 (17) before F16 (13), so "b" then "a", though "a" < "b".
    // Header JSON, compact, counted by hand:
    //   {                                                    1   →   1
    //   "__metadata__":                                     15   →  16
    //   {"format":"pt"}                                     15   →  31
    //   ,"b":                                                5   →  36
    //   {"dtype":"F32","shape":[2],"data_offsets":[0,8]}    48   →  84
    //   ,"a":                                                5   →  89
    //   {"dtype":"F16","shape":[1,2],"data_offsets":[8,12]} 51   → 140
    //   }                                                    1   → 141
    // Padded with 3 spaces to 144 = 0x90 (a multiple of 8). File = 8 + 144 + 12 = 164 bytes.
    // Data: F32 1.0 = 0x3f800000 → 00 00 80 3f; −2.0 = 0xc0000000 → 00 00 00 c0;
    //       F16 1.0 = 0x3c00 → 00 3c; 0.5 = 0x3800 → 00 38.
    const json =
      '{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"a":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]}}';
    expect(json.length).toBe(141);
    const expected = new Uint8Array([
      0x90, 0, 0, 0, 0, 0, 0, 0,
      ...new TextEncoder().encode(json), 0x20, 0x20, 0x20,
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0,
      0x00, 0x3c, 0x00, 0x38,
    ]);
    expect(expected.length).toBe(164);

    const bytes = serializeSafetensors(
      [
        { name: 'a', dtype: 'F16', shape: [1, 2], data: new Uint16Array([0x3c00, 0x3800]) },
        { name: 'b', dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) },
      ],
      { format: 'pt' },
    );
    expect(bytes).toEqual(expected);
  });

  it('pads an empty header "{}" to 8 bytes', () => {
    // "{}" is 2 bytes → 6 spaces; N = 8; no data.
    expect(serializeSafetensors([])).toEqual(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]));
  });

  it('adds no padding when the JSON is already a multiple of 8', () => {
    // {"x":{"dtype":"U8","shape":[],"data_offsets":[0,1]}} with a 1-character name is
    // 1 + 4 ("x":) + 1 + 8 ("dtype":) + 4 ("U8") + 1 + 8 ("shape":) + 2 ([]) + 1 + 15 ("data_offsets":) + 5 + 1 + 1
    // = 52 bytes, so a 13-character name makes it 64: a multiple of 8, no padding.
    const name = 'xyzwvutsrqpon';
    const json = `{"${name}":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`;
    expect(json.length).toBe(64);
    const bytes = serializeSafetensors([{ name, dtype: 'U8', shape: [], data: new Uint8Array([7]) }]);
    expect(bytes.length).toBe(8 + 64 + 1);
    expect(bytes[0]).toBe(64);
    expect(new TextDecoder().decode(bytes.subarray(8, 72))).toBe(json);
    expect(bytes[72]).toBe(7);
  });

  it('sorts by dtype descending, then by name byte-wise (UTF-8, not UTF-16)', () => {
    const t = (name: string, dtype: StWriteTensor['dtype'], data: ArrayBufferView): StWriteTensor => ({
      name,
      dtype,
      shape: [data.byteLength / (dtype === 'I64' || dtype === 'F64' ? 8 : dtype === 'BF16' ? 2 : 1)],
      data,
    });
    // Same dtype: "B" 0x42 < "a10" < "a9" < "b" < "é" (c3 a9) < "\uFFFD" (ef bf bd) < "😀" (f0 9f 98 80).
    // (UTF-16 order would put "😀" (d83d …) before "\uFFFD".)
    const names = ['😀', 'b', '\uFFFD', 'a9', 'é', 'B', 'a10'];
    const sameDtype = names.map((n) => t(n, 'U8', new Uint8Array([1])));
    const header = headerOf(serializeSafetensors(sameDtype));
    expect(Object.keys(header)).toEqual(['B', 'a10', 'a9', 'b', 'é', '\uFFFD', '😀']);

    // Dtypes: I64 (20) > F64 (19) > BF16 (14) > U8 (4) > BOOL (0).
    const mixed = [
      t('z', 'BOOL', new Uint8Array([1])),
      t('y', 'U8', new Uint8Array([2])),
      t('x', 'I64', new BigInt64Array([3n])),
      t('w', 'BF16', new Uint16Array([0x3f80])),
      t('v', 'F64', new Float64Array([1])),
    ];
    const h2 = headerOf(serializeSafetensors(mixed));
    expect(Object.keys(h2)).toEqual(['x', 'v', 'w', 'y', 'z']);
    expect(h2.x.data_offsets).toEqual([0, 8]);
    expect(h2.v.data_offsets).toEqual([8, 16]);
    expect(h2.w.data_offsets).toEqual([16, 18]);
    expect(h2.y.data_offsets).toEqual([18, 19]);
    expect(h2.z.data_offsets).toEqual([19, 20]);
  });

  it('rejects bad tensors before writing anything', async () => {
    const cases: StWriteTensor[][] = [
      [{ name: 'w', dtype: 'F32', shape: [3], data: new Float32Array(2) }],
      [{ name: 'w', dtype: 'F17' as 'F32', shape: [1], data: new Float32Array(1) }],
      [{ name: 'w', dtype: 'F32', shape: [-1], data: new Float32Array(1) }],
      [{ name: 'w', dtype: 'F4', shape: [3], data: new Uint8Array(2) }],
      [
        { name: 'w', dtype: 'F32', shape: [1], data: new Float32Array(1) },
        { name: 'w', dtype: 'F16', shape: [1], data: new Uint16Array(1) },
      ],
    ];
    for (const tensors of cases) {
      const err = await peftError(() => serializeSafetensors(tensors), 'BAD_ARGUMENT');
      expect(err.message).toContain('"w"');
    }
  });
});

describe('writeSafetensorsFile', () => {
  it('writes the same bytes as serializeSafetensors, atomically, leaving no temp file', async () => {
    const target = path.join(dir, 'atomic.safetensors');
    const tensors: StWriteTensor[] = [{ name: 'w', dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }];
    await writeSafetensorsFile(target, tensors, { format: 'pt' });
    expect(new Uint8Array(fs.readFileSync(target))).toEqual(serializeSafetensors(tensors, { format: 'pt' }));

    // Overwrite with new content; then a failing write must leave the last good file in place.
    const second: StWriteTensor[] = [{ name: 'v', dtype: 'F16', shape: [1], data: new Uint16Array([0x3c00]) }];
    await writeSafetensorsFile(target, second);
    const good = fs.readFileSync(target);
    await peftError(
      () => writeSafetensorsFile(target, [{ name: 'v', dtype: 'F32', shape: [9], data: new Float32Array(1) }]),
      'BAD_ARGUMENT',
    );
    expect(fs.readFileSync(target)).toEqual(good);
    expect(fs.readdirSync(dir).filter((f) => f.includes('atomic'))).toEqual(['atomic.safetensors']);

    const f = await SafetensorsFile.open(target);
    expect(f.names()).toEqual(['v']);
    expect([...(await f.readFloat32('v'))]).toEqual([1]);
    await f.close();
  });

  it('names the missing folder', async () => {
    const target = path.join(dir, 'no-such-folder', 'x.safetensors');
    const err = await peftError(() => writeSafetensorsFile(target, []), 'FILE_NOT_FOUND');
    expect(err.message).toContain('no-such-folder');
  });
});

function headerOf(bytes: Uint8Array): Record<string, { data_offsets: number[] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
}
