// Reading one quantised module back from a bitsandbytes checkpoint (layout in bnb-tensors.ts), checking every
// tensor against its quant_state and the shape config.json implies, so a damaged or foreign file fails with the
// tensor named instead of producing wrong numbers.
import { previewValue } from '../../../src-shared/preview';
import type { Packed4bit } from './blockwise';
import { fourBitCodebook } from './codebooks';
import type { FourBitCodebook } from './codebooks';
import { signedDynamicMap } from './dynamic-map';
import type { Int8Rows } from './int8';
import type { TensorSource } from './bnb-tensors';
import { fourBitStateKey, mismatch } from './bnb-tensors';

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

/** `exact`: the shape itself must match, not only its element count (packed 4-bit data may be saved [N, 1] or [N]). */
function expectTensor(src: TensorSource, name: string, dtypes: string[], shape: number[], exact = false): void {
  if (!src.has(name)) throw mismatch(src, name, 'is missing');
  const t = src.info(name);
  if (!dtypes.includes(t.dtype)) throw mismatch(src, name, `is stored as ${t.dtype}, expected ${dtypes.join(' or ')}`);
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const same = exact ? t.shape.join(',') === shape.join(',') : n(t.shape) === n(shape);
  if (!same) throw mismatch(src, name, `has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
}

interface QuantState {
  quant_type: string;
  blocksize: number;
  shape: number[];
  nested_blocksize?: number;
  nested_offset?: number;
}

async function readQuantState(src: TensorSource, key: string): Promise<QuantState> {
  let s: QuantState;
  try {
    s = JSON.parse(new TextDecoder().decode(await src.raw(key))) as QuantState;
  } catch (e) {
    throw mismatch(src, key, `does not hold JSON (${(e as Error).message})`);
  }
  const ok = typeof s === 'object' && s !== null && typeof s.quant_type === 'string' && Number.isInteger(s.blocksize) && s.blocksize > 0 &&
    Array.isArray(s.shape);
  if (!ok) throw mismatch(src, key, 'lacks quant_type, blocksize or shape');
  return s;
}

async function checkedTable(src: TensorSource, name: string, expected: Float32Array, what: string): Promise<void> {
  expectTensor(src, name, ['F32'], [expected.length]);
  if (!sameBits(await src.floats(name), expected)) throw mismatch(src, name, `differs from the ${what} (peft-spec §2)`);
}

/** Module `prefix`'s 4-bit weight, expected to hold an (m, n) matrix. */
export async function readFourBit(src: TensorSource, prefix: string, shape: [number, number]): Promise<Packed4bit> {
  const key = fourBitStateKey(src, prefix)!;
  const s = await readQuantState(src, key);
  const codebook: FourBitCodebook | undefined = fourBitCodebook(s.quant_type);
  if (!codebook || !key.endsWith(s.quant_type)) throw mismatch(src, key, `has quant_type ${previewValue(s.quant_type)}`);
  if (s.shape.join(',') !== shape.join(',')) {
    throw mismatch(src, key, `says shape [${s.shape.join(', ')}], but config.json implies [${shape.join(', ')}] for ${prefix}`);
  }
  const size = shape[0] * shape[1];
  const k = Math.ceil(size / s.blocksize);
  const w = `${prefix}.weight`;
  expectTensor(src, w, ['U8', 'I8', 'BF16', 'F16', 'F32', 'U16', 'I16', 'U32', 'I32'], [Math.ceil(size / 2)]); // any quant_storage
  const bytes = (await src.raw(w)).slice(0, Math.ceil(size / 2));
  await checkedTable(src, `${w}.quant_map`, codebook.values, `${codebook.name} code book`);
  const base = { shape: shape.slice(), size, codebook, blocksize: s.blocksize, bytes };
  if (s.nested_blocksize === undefined) {
    expectTensor(src, `${w}.absmax`, ['F32'], [k]);
    return { ...base, stats: { kind: 'plain', absmax: await src.floats(`${w}.absmax`) } };
  }
  if (!Number.isInteger(s.nested_blocksize) || typeof s.nested_offset !== 'number') throw mismatch(src, key, 'has a bad nested_blocksize or nested_offset');
  expectTensor(src, `${w}.absmax`, ['U8'], [k]);
  expectTensor(src, `${w}.nested_absmax`, ['F32'], [Math.ceil(k / s.nested_blocksize)]);
  await checkedTable(src, `${w}.nested_quant_map`, signedDynamicMap(), 'signed dynamic map');
  const inner = { codes: await src.raw(`${w}.absmax`), absmax: await src.floats(`${w}.nested_absmax`), blocksize: s.nested_blocksize };
  return { ...base, stats: { kind: 'nested', offset: Math.fround(s.nested_offset), inner } };
}

/** Module `prefix`'s LLM.int8 weight (m, n). */
export async function readInt8(src: TensorSource, prefix: string, shape: [number, number]): Promise<Int8Rows> {
  const w = `${prefix}.weight`;
  expectTensor(src, w, ['I8', 'U8'], shape, true); // (out, in): a transposed matrix has the same element count
  expectTensor(src, `${prefix}.SCB`, ['F32', 'F16', 'BF16'], [shape[0]]);
  if (src.has(`${prefix}.weight_format`)) {
    const format = (await src.raw(`${prefix}.weight_format`))[0];
    if (format !== 0) throw mismatch(src, `${prefix}.weight_format`, `is ${format}; only row-major (0) int8 weights can be read`);
  }
  const bytes = await src.raw(w);
  return { cb: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length), scb: await src.floats(`${prefix}.SCB`), shape };
}
