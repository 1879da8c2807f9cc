// Reading safetensors files tensor by tensor: the header is parsed once at open, each tensor's bytes are
// read from the file descriptor at their own offset (never the whole file). Data is little-endian (§7.4).

import { open as openFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { PeftLabError } from '../../../src-shared/errors';
import { bf16ToF32, f16ToF32 } from './dtype';
import type { StDtype } from './safetensors-dtype';
import { parseSafetensorsHeader, readHeaderLength } from './safetensors-header';
import type { StHeader, StTensorInfo } from './safetensors-header';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** fs read calls are limited to 2^31 − 1 bytes; larger tensors are read in chunks. */
const MAX_READ = 1 << 30;

export class SafetensorsFile {
  readonly path: string;
  readonly header: StHeader;
  private readonly fh: FileHandle;
  private readonly byName: Map<string, StTensorInfo>;
  private closed = false;

  private constructor(path: string, fh: FileHandle, header: StHeader) {
    this.path = path;
    this.fh = fh;
    this.header = header;
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
  }

  /** Opens and validates `path`. Missing file → FILE_NOT_FOUND; bad content → SAFETENSORS_INVALID. */
  static async open(path: string): Promise<SafetensorsFile> {
    const fh = await openOrExplain(path);
    try {
      const { size } = await fh.stat();
      const prefix = await readAt(fh, 0, Math.min(8, size), path);
      const n = readHeaderLength(prefix, size, path);
      const headerBytes = await readAt(fh, 0, 8 + n, path);
      return new SafetensorsFile(path, fh, parseSafetensorsHeader(headerBytes, size, path));
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Tensor names in data order. */
  names(): string[] {
    return this.header.tensors.map((t) => t.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): StTensorInfo {
    const t = this.byName.get(name);
    if (t === undefined) {
      const names = this.names();
      const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')}, … (${names.length} in all)` : names.join(', ');
      throw new PeftLabError('CHECKPOINT_MISMATCH',
        `${this.path}: no tensor named "${name}". The file holds: ${shown || '(no tensors)'}. ` +
          'Check the tensor name, or whether this file belongs to another model.',
        { file: this.path, tensor: name });
    }
    return t;
  }

  /** The tensor's raw little-endian bytes, read from disk at its offset. */
  async readRaw(name: string): Promise<Uint8Array> {
    const t = this.info(name);
    if (this.closed) throw new PeftLabError('INTERNAL', `${this.path}: read of "${name}" after close()`);
    return readAt(this.fh, this.header.dataStart + t.begin, t.end - t.begin, this.path);
  }

  /** The tensor as float32 (F32 as is, F16/BF16/F64 converted). Other dtypes → CHECKPOINT_MISMATCH. */
  async readFloat32(name: string): Promise<Float32Array> {
    const t = this.info(name);
    const raw = await this.readRaw(name);
    return decodeFloat32(raw, t.dtype, `${this.path}: tensor "${name}"`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/** Float dtypes that `decodeFloat32` can widen/narrow to float32. */
export const FLOAT32_READABLE: readonly StDtype[] = ['F32', 'F16', 'BF16', 'F64'];

/**
 * Little-endian bytes of a float tensor → Float32Array. Copies when `raw` is not aligned for the element
 * type (e.g. a view into a whole-file buffer). `where` names the file and tensor in errors.
 */
export function decodeFloat32(raw: Uint8Array, dtype: StDtype, where: string): Float32Array {
  switch (dtype) {
    case 'F32': {
      const b = aligned(raw, 4);
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    }
    case 'F16': {
      const b = aligned(raw, 2);
      return f16ToF32(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2));
    }
    case 'BF16': {
      const b = aligned(raw, 2);
      return bf16ToF32(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2));
    }
    case 'F64': {
      const b = aligned(raw, 8);
      return Float32Array.from(new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8));
    }
    default:
      throw new PeftLabError('CHECKPOINT_MISMATCH',
        `${where} is stored as ${dtype}; only ${FLOAT32_READABLE.join('/')} tensors can be loaded as float32. ` +
          'Use an unquantised checkpoint (float32, float16 or bfloat16).',
        { dtype });
  }
}

/** `raw` itself when aligned for `size`-byte elements on a little-endian host, else a (byte-swapped) copy. */
function aligned(raw: Uint8Array, size: number): Uint8Array {
  if (HOST_LITTLE_ENDIAN && raw.byteOffset % size === 0) return raw;
  const copy = raw.slice();
  if (!HOST_LITTLE_ENDIAN) swapBytes(copy, size);
  return copy;
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

async function openOrExplain(path: string): Promise<FileHandle> {
  try {
    const fh = await openFile(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new PeftLabError('FILE_NOT_FOUND', `${path} is not a regular file. Pass the path of a .safetensors file.`,
        { file: path });
    }
    return fh;
  } catch (e) {
    if (e instanceof PeftLabError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      throw new PeftLabError('FILE_NOT_FOUND', `${path} is a folder. Pass the path of a .safetensors file.`,
        { file: path });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new PeftLabError('FILE_NOT_FOUND', `${path} does not exist. Check the path (and the model folder).`,
        { file: path });
    }
    throw e;
  }
}

/** Reads exactly `length` bytes at `position` into a fresh buffer (a short read means the file shrank). */
async function readAt(fh: FileHandle, position: number, length: number, label: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, done, Math.min(MAX_READ, length - done), position + done);
    if (bytesRead === 0) {
      throw new PeftLabError('SAFETENSORS_INVALID',
        `${label}: file ended after ${position + done} bytes while reading ${length} bytes at offset ${position}; ` +
          'the file was truncated or changed while open. Download or export it again.', { file: label });
    }
    done += bytesRead;
  }
  return out;
}
