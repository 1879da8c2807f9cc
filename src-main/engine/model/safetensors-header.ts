// Parsing and validation of a safetensors header (peft-spec §7.4; the checks mirror `read_metadata` and
// `Metadata::validate` in huggingface/safetensors safetensors/src/tensor.rs, plus duplicate-name detection,
// which serde silently lets through).
// File layout: [u64 LE header length N][N bytes UTF-8 JSON, starts with '{', maybe space-padded][data section].

import { PeftLabError } from '../../../src-shared/errors';
import { previewValue } from '../../../src-shared/preview';
import { ST_DTYPES, isStDtype, tensorByteSize } from './safetensors-dtype';
import type { StDtype } from './safetensors-dtype';

export interface StTensorInfo {
  name: string;
  dtype: StDtype;
  shape: number[];
  /** Byte offset of the first byte, relative to the start of the data section. */
  begin: number;
  /** Byte offset one past the last byte, relative to the start of the data section. */
  end: number;
}

export interface StHeader {
  metadata: Record<string, string>;
  /** Tensors in data order (ascending offsets). */
  tensors: StTensorInfo[];
  /** N: the header's byte length as stored in the first 8 bytes (JSON plus padding). */
  headerLength: number;
  /** Absolute file offset of the data section: 8 + N. */
  dataStart: number;
}

export const ST_MAX_HEADER_LENGTH = 100_000_000;
const METADATA_KEY = '__metadata__';
const REEXPORT = 'The file is damaged or was not written as safetensors; download or export it again.';

export function stInvalid(label: string, what: string, fix: string = REEXPORT): PeftLabError {
  return new PeftLabError('SAFETENSORS_INVALID', `${label}: ${what}. ${fix}`, { file: label });
}

/**
 * Reads and checks N from the first 8 bytes of a file of `fileSize` bytes. `prefix` must hold at least
 * min(8, fileSize) bytes of the file's start.
 */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, label: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw stInvalid(label, `the file is ${fileSize} bytes long, shorter than the 8-byte header length field`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n === 0n) throw stInvalid(label, 'the header length field is 0 (a header needs at least "{}")');
  if (n > BigInt(ST_MAX_HEADER_LENGTH)) {
    throw stInvalid(label, `the header length field says ${n} bytes, more than the ${ST_MAX_HEADER_LENGTH} allowed`);
  }
  const len = Number(n);
  if (8 + len > fileSize) {
    throw stInvalid(label, `the header length field says ${len} bytes, beyond the end of the ${fileSize}-byte file`,
      'The file is truncated or damaged; download or export it again.');
  }
  return len;
}

/**
 * Parses and fully validates a header. `headerBytes` is the start of the file: at least 8 + N bytes
 * (more, e.g. the whole file, is fine). `fileSize` is the size of the whole file; `label` (usually the path)
 * is named in every error.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, label: string): StHeader {
  const headerLength = readHeaderLength(headerBytes, fileSize, label);
  const dataStart = 8 + headerLength;
  if (headerBytes.length < dataStart) {
    throw new PeftLabError('INTERNAL',
      `parseSafetensorsHeader(${label}): got ${headerBytes.length} bytes, the header needs ${dataStart}`);
  }
  const json = decodeHeaderJson(headerBytes.subarray(8, dataStart), label);
  const dataLength = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: StTensorInfo[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value, label);
    else tensors.push(parseEntry(name, value, dataLength, label));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkCoverage(tensors, dataLength, label);
  return { metadata, tensors, headerLength, dataStart };
}

function decodeHeaderJson(bytes: Uint8Array, label: string): Record<string, unknown> {
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so it fails the '{' check like the Rust reader.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw stInvalid(label, 'the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) {
    throw stInvalid(label, `the header does not start with '{' (starts with ${JSON.stringify(text.slice(0, 16))})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw stInvalid(label, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw stInvalid(label, 'the header JSON is not an object');
  }
  const obj = parsed as Record<string, unknown>;
  const keys = topLevelKeys(text);
  if (keys.length !== Object.keys(obj).length) {
    const seen = new Set<string>();
    const dup = keys.find((k) => (seen.has(k) ? true : (seen.add(k), false)));
    throw stInvalid(label, `the header names tensor ${JSON.stringify(dup)} more than once`);
  }
  return obj;
}

/** Keys of the outermost object of a valid JSON text, in order and with repeats (JSON.parse drops repeats). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
    i++;
  }
  return keys;
}

function parseMetadata(value: unknown, label: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw stInvalid(label, `"${METADATA_KEY}" must be an object of strings, got ${describe(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw stInvalid(label, `"${METADATA_KEY}"."${k}" must be a string, got ${describe(v)}`);
    }
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, value: unknown, dataLength: number, label: string): StTensorInfo {
  const where = `tensor "${name}"`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw stInvalid(label, `${where}: entry must be an object {dtype, shape, data_offsets}, got ${describe(value)}`);
  }
  const entry = value as Record<string, unknown>;
  const dtype = entry.dtype;
  if (!isStDtype(dtype)) {
    throw stInvalid(label, `${where}: unknown dtype ${describe(dtype)} (known: ${ST_DTYPES.join(', ')})`);
  }
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw stInvalid(label, `${where}: shape must be a list of non-negative integers, got ${describe(shape)}`);
  }
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    throw stInvalid(label, `${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const size = tensorByteSize(dtype, shape);
  if (size === null) {
    throw stInvalid(label, `${where}: shape ${describe(shape)} has too many elements to address (numel overflows)`);
  }
  if (size === 'misaligned') {
    throw stInvalid(label, `${where}: shape ${describe(shape)} of ${dtype} is not a whole number of bytes`);
  }
  if (size !== end - begin) {
    throw stInvalid(label,
      `${where}: shape ${describe(shape)} of ${dtype} needs ${size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  if (end > dataLength) {
    throw stInvalid(label,
      `${where}: data_offsets [${begin}, ${end}] reach past the end of the ${dataLength}-byte data section`,
      'The file is truncated or damaged; download or export it again.');
  }
  return { name, dtype, shape: shape.slice(), begin, end };
}

/** The tensors (sorted by offsets) must tile [0, dataLength) exactly: no overlap, no gap, no trailing bytes. */
function checkCoverage(tensors: StTensorInfo[], dataLength: number, label: string): void {
  let cursor = 0;
  let prev: StTensorInfo | undefined;
  for (const t of tensors) {
    if (t.begin < cursor) {
      throw stInvalid(label,
        `tensor "${t.name}" (bytes ${t.begin}..${t.end}) overlaps tensor "${prev?.name}" (bytes ${prev?.begin}..${prev?.end})`);
    }
    if (t.begin > cursor) {
      const after = prev ? `after tensor "${prev.name}"` : 'at the start of the data section';
      throw stInvalid(label, `${t.begin - cursor} unused bytes (a gap) ${after}, before tensor "${t.name}"`);
    }
    cursor = t.end;
    prev = t;
  }
  if (cursor !== dataLength) {
    throw stInvalid(label,
      `the data section has ${dataLength - cursor} trailing bytes after the last tensor (tensors cover ${cursor} of ${dataLength})`);
  }
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function describe(v: unknown): string {
  return previewValue(v, 80);
}
