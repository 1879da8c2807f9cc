// The two dequantisation kernels every backend provides, their inputs and attributes, and the plain JavaScript
// loops that the cpu and wasm kernels run (the webgpu kernel is the same arithmetic in WGSL).
//
// PeftLabDequantBlockwise: codes of `bits` (4 or 8) bits packed in int32 words (words.ts byte order; 4-bit: even
// element in the high nibble of its byte), a float32 table of 2^bits values, and one float32 scale per block:
//   out_i = table[code_i] · scales[⌊i / blocksize⌋], then · postScale when postScale ≠ 1, + offset when offset ≠ 0
// (each step rounded to float32; skipped steps keep −0 exact). Serves NF4/FP4 weights (table = code book,
// scales = absmax), the double-quantised absmax (8-bit dynamic map, absmax2, + offset) and LLM.int8 weights
// (signed-byte table, scales = SCB, postScale = 1/127).
// PeftLabDequantHalf: two 16-bit values per int32 word (low half first), widened exactly to float32.

export const DEQUANT_BLOCKWISE = 'PeftLabDequantBlockwise';
export const DEQUANT_HALF = 'PeftLabDequantHalf';

export interface BlockwiseAttrs {
  bits: 4 | 8;
  /** Output shape; its product N is the number of codes. */
  shape: number[];
  blocksize: number;
  postScale: number;
  offset: number;
}

export interface HalfAttrs {
  kind: 'bf16' | 'fp16';
  shape: number[];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Reads code i of a packed stream. */
function codeAt(words: Int32Array, bits: 4 | 8, i: number): number {
  if (bits === 8) return (words[i >> 2] >>> ((i & 3) * 8)) & 0xff;
  const byte = (words[i >> 3] >>> (((i >> 1) & 3) * 8)) & 0xff;
  return i & 1 ? byte & 15 : byte >> 4;
}

/** out (N) ← the blockwise dequantisation of `words`. */
export function decodeBlockwise(words: Int32Array, table: Float32Array, scales: Float32Array, a: BlockwiseAttrs, out: Float32Array): void {
  const f = Math.fround;
  const n = out.length;
  const post = a.postScale;
  const offset = a.offset;
  for (let start = 0, k = 0; start < n; start += a.blocksize, k++) {
    const end = Math.min(n, start + a.blocksize);
    const s = scales[k];
    for (let i = start; i < end; i++) {
      let v = f(table[codeAt(words, a.bits, i)] * s);
      if (post !== 1) v = f(v * post);
      if (offset !== 0) v = f(v + offset);
      out[i] = v;
    }
  }
}

/** out (N) ← the 16-bit values of `words` as float32 (`widenBits` maps 16 bits to float32 bits). */
export function decodeHalf(words: Int32Array, kind: HalfAttrs['kind'], out: Float32Array): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  const widen = kind === 'bf16' ? bf16Bits : f16Bits;
  for (let i = 0; i < out.length; i++) bits[i] = widen((words[i >> 1] >>> ((i & 1) * 16)) & 0xffff);
}

function bf16Bits(h: number): number {
  return (h << 16) >>> 0;
}

/** IEEE binary16 bits → binary32 bits, exact (subnormal halves become normal floats). */
function f16Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return (sign | 0x7f800000 | (m << 13)) >>> 0;
  if (e !== 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return sign >>> 0;
  const p = 31 - Math.clz32(m); // position of the leading 1 (0…9): value = 2^(p−24) · (m / 2^p)
  return (sign | ((p + 103) << 23) | ((m << (23 - p)) & 0x7fffff)) >>> 0;
}
