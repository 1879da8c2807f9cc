import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SafetensorsFile,
  decodeFloat32,
  parseSafetensorsHeader,
  writeSafetensorsFile,
} from '../../../src-main/engine/model/safetensors';
import type { StWriteTensor } from '../../../src-main/engine/model/safetensors';
import { f32Bytes, peftError, rawSafetensors, tempDir } from './st-fixtures';

const dir = tempDir();

describe('SafetensorsFile: round trip', () => {
  // Values chosen to be exact in every dtype used: small dyadic fractions.
  const tensors: StWriteTensor[] = [
    { name: 'f32', dtype: 'F32', shape: [2, 3], data: new Float32Array([0.1, -2, 3.5, 1e-30, 65504, -0.25]) },
    // f16 bits by hand: 1.0 = 0x3c00, −0.5 = 0xb800, 2^-24 = 0x0001, 65504 = 0x7bff
    { name: 'f16', dtype: 'F16', shape: [4], data: new Uint16Array([0x3c00, 0xb800, 0x0001, 0x7bff]) },
    // bf16 bits by hand: 1.0 = 0x3f80, 3.140625 = 0x4049, −2^-133 = 0x8001
    { name: 'bf16', dtype: 'BF16', shape: [3, 1], data: new Uint16Array([0x3f80, 0x4049, 0x8001]) },
    { name: 'f64', dtype: 'F64', shape: [2], data: new Float64Array([0.5, -1.75]) },
    { name: 'i32', dtype: 'I32', shape: [2], data: new Int32Array([7, -7]) },
    { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([42]) },
  ];
  const file = path.join(dir, 'roundtrip.safetensors');

  it('reads back header, raw bytes and float32 values', async () => {
    await writeSafetensorsFile(file, tensors, { format: 'pt', note: 'x' });
    const f = await SafetensorsFile.open(file);
    try {
      expect(f.header.metadata).toEqual({ format: 'pt', note: 'x' });
      expect(f.header.dataStart % 8).toBe(0);
      expect(new Set(f.names())).toEqual(new Set(tensors.map((t) => t.name)));
      for (const t of tensors) {
        const info = f.info(t.name);
        expect(info.dtype).toBe(t.dtype);
        expect(info.shape).toEqual(t.shape);
        expect(info.end - info.begin).toBe(t.data.byteLength);
        expect(await f.readRaw(t.name)).toEqual(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      }
      expect([...(await f.readFloat32('f32'))]).toEqual([...(tensors[0].data as Float32Array)]);
      expect([...(await f.readFloat32('f16'))]).toEqual([1, -0.5, 2 ** -24, 65504]);
      expect([...(await f.readFloat32('bf16'))]).toEqual([1, 3.140625, -(2 ** -133)]);
      expect([...(await f.readFloat32('f64'))]).toEqual([0.5, -1.75]);
      expect((await f.readFloat32('empty')).length).toBe(0);
      expect([...(await f.readFloat32('scalar'))]).toEqual([42]);
    } finally {
      await f.close();
    }
  });

  it('refuses non-float dtypes and unknown names with clear errors', async () => {
    const f = await SafetensorsFile.open(file);
    try {
      const e1 = await peftError(() => f.readFloat32('i32'), 'CHECKPOINT_MISMATCH');
      expect(e1.message).toContain(file);
      expect(e1.message).toContain('"i32"');
      expect(e1.message).toContain('I32');
      const e2 = await peftError(() => f.info('nope'), 'CHECKPOINT_MISMATCH');
      expect(e2.message).toContain('"nope"');
      expect(e2.message).toContain('f32');
      expect(e2.message).toContain(file);
    } finally {
      await f.close();
    }
  });

  it('reads tensors at unaligned offsets and headers in any order (older writers)', async () => {
    // U8 [9] at bytes 0..1, then F32 [1.5, −3] at 1..9 (not 4-aligned); header length 104 is not a multiple of 8.
    const header =
      '{"f":{"dtype":"F32","shape":[2],"data_offsets":[1,9]},"u":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const bytes = rawSafetensors(header, new Uint8Array([9, ...f32Bytes([1.5, -3])]));
    const p = path.join(dir, 'unaligned.safetensors');
    fs.writeFileSync(p, bytes);
    const f = await SafetensorsFile.open(p);
    expect(f.names()).toEqual(['u', 'f']); // data order
    expect([...(await f.readFloat32('f'))]).toEqual([1.5, -3]);
    expect([...(await f.readRaw('u'))]).toEqual([9]);
    await f.close();
  });

  it('accepts empty tensors sharing an offset with their neighbours', () => {
    const header =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},' +
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"z":{"dtype":"BF16","shape":[0],"data_offsets":[8,8]}}';
    const bytes = rawSafetensors(header, f32Bytes([1, 2]));
    const h = parseSafetensorsHeader(bytes, bytes.length, 'mem');
    expect(h.tensors.map((t) => t.name)).toEqual(['a', 'e', 'b', 'z']);
  });

  it('decodeFloat32 copies unaligned views', () => {
    const buf = new Uint8Array(5);
    buf.set([0x00, 0x3c, 0x00, 0xc0], 1); // f16 1.0 and −2.0 starting at an odd offset
    expect([...decodeFloat32(buf.subarray(1), 'F16', 'mem')]).toEqual([1, -2]);
    const b2 = new Uint8Array(9);
    b2.set(f32Bytes([0.25, 8]), 1);
    expect([...decodeFloat32(b2.subarray(1), 'F32', 'mem')]).toEqual([0.25, 8]);
  });

  it('reports a missing file and a folder as FILE_NOT_FOUND', async () => {
    const missing = path.join(dir, 'missing.safetensors');
    expect((await peftError(() => SafetensorsFile.open(missing), 'FILE_NOT_FOUND')).message).toContain(missing);
    expect((await peftError(() => SafetensorsFile.open(dir), 'FILE_NOT_FOUND')).message).toContain(dir);
  });
});
