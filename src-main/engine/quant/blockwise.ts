// Blockwise quantisation as bitsandbytes does it (peft-spec §2.3, §2.4), in plain JavaScript: the reference
// that packs weights at load time and that every dequantisation kernel is tested against.
// Ported from bitsandbytes `functional.py` (quantize_4bit, dequantize_4bit, quantize_blockwise with
// compress_statistics) and `backends/default/ops.py`.
//
// 4-bit: the row-major flattening (N values) is cut into blocks of `blocksize` (the last may be partial);
// absmax_k = max |x| over block k (float32); u = x · fround(1/absmax_k) clamped to [−1, 1]; code = the code
// book's encoding of u; two codes per byte, even index in the HIGH nibble; an odd N pads the last low nibble with
// code 0. Double quantisation: offset = mean(absmax); a' = absmax − offset quantised to 8-bit indices of the
// signed dynamic map in blocks of 256 (per-block float32 absmax2). Every product and sum is rounded to float32.
import type { FourBitCodebook } from './codebooks';
import { nearestIndex, signedDynamicMap } from './dynamic-map';

const f = Math.fround;
/** The PyTorch backend's guard against a zero absmax (an all-zero block quantises to the code of 0). */
const ABSMAX_FLOOR = f(1e-38);
export const NESTED_BLOCKSIZE = 256;

export interface Blockwise8 {
  /** One uint8 index into the map per value. */
  codes: Uint8Array;
  /** float32 absmax per block. */
  absmax: Float32Array;
  blocksize: number;
}

export type AbsmaxStats =
  | { kind: 'plain'; absmax: Float32Array }
  | { kind: 'nested'; offset: number; inner: Blockwise8 };

export interface Packed4bit {
  /** Original shape, e.g. (m, n). */
  shape: number[];
  size: number;
  codebook: FourBitCodebook;
  blocksize: number;
  /** ceil(N/2) bytes, bitsandbytes' layout. */
  bytes: Uint8Array;
  stats: AbsmaxStats;
}

export interface Quantize4bitOptions {
  codebook: FourBitCodebook;
  blocksize: number;
  doubleQuant: boolean;
}

function blockAbsmax(x: Float32Array, blocksize: number): Float32Array {
  const absmax = new Float32Array(Math.ceil(x.length / blocksize));
  for (let i = 0; i < x.length; i++) {
    const k = Math.floor(i / blocksize);
    const a = Math.abs(x[i]);
    if (a > absmax[k]) absmax[k] = a;
  }
  return absmax;
}

/** 8-bit blockwise quantisation with the signed dynamic map (`quantize_blockwise`). */
export function quantizeBlockwise8(x: Float32Array, blocksize = NESTED_BLOCKSIZE): Blockwise8 {
  const map = signedDynamicMap();
  const zero = map.indexOf(0);
  const absmax = blockAbsmax(x, blocksize);
  const codes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = absmax[Math.floor(i / blocksize)];
    if (c === 0) {
      codes[i] = zero; // an all-zero block: any code reconstructs 0; take the code of 0
      continue;
    }
    const u = Math.min(1, Math.max(-1, f(x[i] * f(1 / c))));
    codes[i] = nearestIndex(map, u);
  }
  return { codes, absmax, blocksize };
}

export function dequantizeBlockwise8(q: Blockwise8, offset = 0): Float32Array {
  const map = signedDynamicMap();
  const out = new Float32Array(q.codes.length);
  for (let i = 0; i < out.length; i++) {
    const v = f(map[q.codes[i]] * q.absmax[Math.floor(i / q.blocksize)]);
    out[i] = offset === 0 ? v : f(v + offset);
  }
  return out;
}

/** The mean of a float32 vector, rounded to float32 (summed in float64). */
function meanF32(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return x.length === 0 ? 0 : f(s / x.length);
}

export function doubleQuantize(absmax: Float32Array): AbsmaxStats {
  const offset = meanF32(absmax);
  const centred = absmax.map((a) => f(a - offset));
  return { kind: 'nested', offset, inner: quantizeBlockwise8(centred, NESTED_BLOCKSIZE) };
}

/** The float32 absmax vector the 4-bit dequantisation multiplies by. */
export function resolveAbsmax(stats: AbsmaxStats): Float32Array {
  return stats.kind === 'plain' ? stats.absmax : dequantizeBlockwise8(stats.inner, stats.offset);
}

export function quantize4bit(x: Float32Array, shape: number[], o: Quantize4bitOptions): Packed4bit {
  const absmax = blockAbsmax(x, o.blocksize);
  const bytes = new Uint8Array(Math.ceil(x.length / 2));
  for (let i = 0; i < x.length; i++) {
    const inv = f(1 / Math.max(absmax[Math.floor(i / o.blocksize)], ABSMAX_FLOOR));
    const u = Math.min(1, Math.max(-1, f(x[i] * inv)));
    const code = o.codebook.encode(u);
    bytes[i >> 1] |= i & 1 ? code : code << 4;
  }
  const stats: AbsmaxStats = o.doubleQuant ? doubleQuantize(absmax) : { kind: 'plain', absmax };
  return { shape: shape.slice(), size: x.length, codebook: o.codebook, blocksize: o.blocksize, bytes, stats };
}

/** ŵ_i = value(code_i) · absmax_{⌊i/blocksize⌋}, float32: the reference dequantisation. */
export function dequantize4bit(p: Packed4bit): Float32Array {
  const absmax = resolveAbsmax(p.stats);
  const values = p.codebook.values;
  const out = new Float32Array(p.size);
  for (let i = 0; i < p.size; i++) {
    const byte = p.bytes[i >> 1];
    const code = i & 1 ? byte & 15 : byte >> 4;
    out[i] = f(values[code] * absmax[Math.floor(i / p.blocksize)]);
  }
  return out;
}
