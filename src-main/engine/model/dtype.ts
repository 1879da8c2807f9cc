// Exact conversions between float32 and the two 16-bit float formats that checkpoints use.
//   bf16: 1 sign, 8 exponent, 7 mantissa bits: the top half of an IEEE-754 float32.
//   f16 (IEEE-754 binary16): 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals below 2^-14.
// Narrowing rounds to nearest, ties to even; NaN stays NaN (quiet), values past the largest finite
// 16-bit value become ±inf. Widening is exact (every bf16/f16 value is a float32 value).
// Bit patterns are moved through a Uint32Array view of the Float32Array's own buffer, so no endianness
// assumption is made here (both views use the host order).

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Float32 bits of one bf16 value: the 16 bits become the top half. */
export function bf16BitsToF32(h: number): number {
  scratchU32[0] = (h & 0xffff) << 16;
  return scratchF32[0];
}

/** bf16 bits of a float32 value, round to nearest even. */
export function f32ToBf16Bits(x: number): number {
  scratchF32[0] = x;
  return f32BitsToBf16Bits(scratchU32[0]);
}

/** Float value of one f16 bit pattern (exact). */
export function f16BitsToF32(h: number): number {
  scratchU32[0] = f16BitsToF32Bits(h & 0xffff);
  return scratchF32[0];
}

/** f16 bits of a float32 value, round to nearest even. */
export function f32ToF16Bits(x: number): number {
  scratchF32[0] = x;
  return f32BitsToF16Bits(scratchU32[0]);
}

/** Whole-array bf16 → float32. `out` (same length) may be given to avoid an allocation. */
export function bf16ToF32(src: Uint16Array, out?: Float32Array): Float32Array {
  const dst = checkedOut(out, src.length, Float32Array);
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return dst;
}

/** Whole-array f16 → float32 (subnormals, ±inf and NaN included). */
export function f16ToF32(src: Uint16Array, out?: Float32Array): Float32Array {
  const dst = checkedOut(out, src.length, Float32Array);
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) bits[i] = f16BitsToF32Bits(src[i]);
  return dst;
}

/** Whole-array float32 → bf16, round to nearest even. */
export function f32ToBf16(src: Float32Array, out?: Uint16Array): Uint16Array {
  const dst = checkedOut(out, src.length, Uint16Array);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f32BitsToBf16Bits(bits[i]);
  return dst;
}

/** Whole-array float32 → f16, round to nearest even. */
export function f32ToF16(src: Float32Array, out?: Uint16Array): Uint16Array {
  const dst = checkedOut(out, src.length, Uint16Array);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f32BitsToF16Bits(bits[i]);
  return dst;
}

function checkedOut<T extends Float32Array | Uint16Array>(
  out: T | undefined,
  length: number,
  Ctor: new (n: number) => T,
): T {
  if (out === undefined) return new Ctor(length);
  if (out.length !== length) {
    throw new RangeError(`dtype conversion: output has ${out.length} elements, input has ${length}`);
  }
  return out;
}

function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0) {
    return ((x >>> 16) | 0x0040) & 0xffff; // NaN: keep sign and payload top bits, force quiet
  }
  // Adding 0x7fff plus the kept lsb rounds half to even; a carry into the exponent is the right result,
  // and the largest finite values carry into the inf pattern 0x7f80. Never exceeds 2^32 for non-NaN x.
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}

function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf, or NaN with its payload
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // 112 = 127 − 15
  if (mant === 0) return sign >>> 0; // ±0
  // Subnormal: mant · 2^-24. Normalise: shift the leading 1 up to bit 10.
  let e = 113; // exponent field (127 − 14) for a mantissa whose leading 1 sits at bit 10
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13); // inf / quiet NaN
  const e = exp - 112; // f16 exponent field if the value were normal
  if (e >= 0x1f) return sign | 0x7c00; // beyond 65504 even before rounding → inf
  if (e >= 1) {
    const h = sign | (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff; // the 13 dropped bits; halfway is 0x1000
    // A carry out of the mantissa increments the exponent; from 0x7bff it lands on inf (0x7c00).
    return rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1) ? h + 1 : h;
  }
  if (e < -10) return sign; // below half of the smallest subnormal 2^-24 → ±0
  // Subnormal result in units of 2^-24: value = m · 2^(exp−150) = m · 2^-24 · 2^(e−14), so shift by 14 − e.
  const m = mant | 0x800000;
  const shift = 14 - e; // 14..24
  const h = sign | (m >>> shift);
  const rest = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (h & 1) === 1) ? h + 1 : h;
}
