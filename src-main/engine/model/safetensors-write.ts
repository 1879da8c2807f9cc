// Writing safetensors exactly as the Rust writer does (safetensors/src/tensor.rs `prepare`/`serialize`,
// peft-spec §7.4): compact JSON, "__metadata__" first, tensors sorted by dtype descending (enum order) then
// name ascending byte-wise, data laid out contiguously in that order, header padded with spaces to a
// multiple of 8 bytes. Tensor data is taken as the bytes of the given views (little-endian on every host
// Node runs on).

import { randomBytes } from 'node:crypto';
import { open as openFile, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PeftLabError } from '../../../src-shared/errors';
import { faultPoint } from '../fault-hook';
import { ST_DTYPES, dtypeRank, isStDtype, tensorByteSize } from './safetensors-dtype';
import type { StDtype } from './safetensors-dtype';
import { ST_MAX_HEADER_LENGTH } from './safetensors-header';

export interface StWriteTensor {
  name: string;
  dtype: StDtype;
  shape: number[];
  data: ArrayBufferView;
}

export interface StLayout {
  /** The 8-byte length field followed by the padded JSON header. */
  headerBytes: Uint8Array;
  /** Tensors in the order their data follows the header. */
  order: StWriteTensor[];
  /** Total file size in bytes. */
  fileSize: number;
}

/** Validates the tensors and computes the header and data order. */
export function planSafetensorsLayout(tensors: StWriteTensor[], metadata?: Record<string, string>): StLayout {
  const enc = new TextEncoder();
  const names = new Set<string>();
  for (const t of tensors) {
    validateWriteTensor(t);
    if (names.has(t.name)) throw badTensor(t.name, 'appears twice; tensor names must be unique');
    names.add(t.name);
  }
  const keyed = tensors.map((t) => ({ t, key: enc.encode(t.name) }));
  keyed.sort((a, b) => dtypeRank(b.t.dtype) - dtypeRank(a.t.dtype) || compareBytes(a.key, b.key));
  const order = keyed.map((k) => k.t);

  // Built by hand so the key order is exactly the Rust one (JSON.stringify would move integer-like keys first).
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(metadata)}`);
  let offset = 0;
  for (const t of order) {
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = enc.encode(`{${parts.join(',')}}`);
  const n = Math.ceil(json.length / 8) * 8;
  if (n > ST_MAX_HEADER_LENGTH) {
    throw new PeftLabError('BAD_ARGUMENT',
      `safetensors header would be ${n} bytes, more than the ${ST_MAX_HEADER_LENGTH} allowed; split the tensors over several files.`);
  }
  const headerBytes = new Uint8Array(8 + n).fill(0x20, 8 + json.length);
  new DataView(headerBytes.buffer).setBigUint64(0, BigInt(n), true);
  headerBytes.set(json, 8);
  return { headerBytes, order, fileSize: 8 + n + offset };
}

/** The complete file as one buffer. */
export function serializeSafetensors(tensors: StWriteTensor[], metadata?: Record<string, string>): Uint8Array {
  const layout = planSafetensorsLayout(tensors, metadata);
  const out = new Uint8Array(layout.fileSize);
  out.set(layout.headerBytes, 0);
  let pos = layout.headerBytes.length;
  for (const t of layout.order) {
    out.set(bytesOf(t.data), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Writes the file atomically: a temp file in the same folder is written, fsynced and renamed over `path`,
 * so `path` is never half-written. Tensor data is streamed (no whole-file buffer).
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: StWriteTensor[],
  metadata?: Record<string, string>,
): Promise<void> {
  const layout = planSafetensorsLayout(tensors, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await openFile(tmp, 'wx');
    await writeAll(fh, layout.headerBytes);
    for (const [i, t] of layout.order.entries()) {
      await writeAll(fh, bytesOf(t.data));
      if (i === 0) faultPoint('tensors'); // test hook (engine/fault-hook.ts): a kill mid-file during a checkpoint
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PeftLabError('FILE_NOT_FOUND', `cannot write ${path}: the folder ${dirname(path)} does not exist. Create it first.`,
        { file: path });
    }
    throw e;
  }
  await syncDir(dirname(path));
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, Math.min(1 << 30, bytes.length - done));
    done += bytesWritten;
  }
}

/** Makes the rename durable; not possible on every platform (Windows cannot open folders), so best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const d = await openFile(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}

function validateWriteTensor(t: StWriteTensor): void {
  if (typeof t.name !== 'string' || t.name === '__metadata__') {
    throw badTensor(String(t.name), 'is not a valid tensor name');
  }
  if (!isStDtype(t.dtype)) throw badTensor(t.name, `has unknown dtype ${JSON.stringify(t.dtype)} (known: ${ST_DTYPES.join(', ')})`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badTensor(t.name, `has shape ${JSON.stringify(t.shape)}; dimensions must be non-negative integers`);
  }
  const size = tensorByteSize(t.dtype, t.shape);
  if (size === null || size === 'misaligned') {
    throw badTensor(t.name, `has shape [${t.shape.join(', ')}] that is not a whole, addressable number of ${t.dtype} bytes`);
  }
  if (!ArrayBuffer.isView(t.data) || t.data.byteLength !== size) {
    const got = ArrayBuffer.isView(t.data) ? `${t.data.byteLength} bytes` : 'no typed array';
    throw badTensor(t.name, `has ${got} of data, but shape [${t.shape.join(', ')}] of ${t.dtype} needs ${size} bytes`);
  }
}

function badTensor(name: string, what: string): PeftLabError {
  return new PeftLabError('BAD_ARGUMENT', `safetensors write: tensor "${name}" ${what}.`, { tensor: name });
}

function metadataJson(metadata: Record<string, string>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') {
      throw new PeftLabError('BAD_ARGUMENT', `safetensors write: metadata "${k}" must be a string, got ${typeof v}.`);
    }
    parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
