// Fixture helpers for the model-format tests: temp folders, hand-made safetensors bytes, error assertions.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect } from 'vitest';
import { PeftLabError } from '../../../src-shared/errors';
import type { ErrorCode } from '../../../src-shared/errors';

/** A fresh temp folder, removed after the test file. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-lab-model-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A safetensors file from a header text and data bytes; `n` overrides the length field. */
export function rawSafetensors(header: string, data: Uint8Array = new Uint8Array(0), n?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian bytes of float32 values. */
export function f32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return out;
}

/** Runs `fn` and returns the PeftLabError it throws (fails the test if it throws anything else). */
export async function peftError(fn: () => unknown, code: ErrorCode): Promise<PeftLabError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PeftLabError);
    const err = e as PeftLabError;
    expect(err.code, err.message).toBe(code);
    return err;
  }
  throw new Error(`expected a PeftLabError ${code}, nothing was thrown`);
}
