// The safetensors dtype strings, in the enum order of the Rust crate (safetensors/src/tensor.rs `Dtype`),
// with their sizes in bits (peft-spec §7.4). The writer sorts tensors by this order, descending.

export const ST_DTYPES = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

export type StDtype = (typeof ST_DTYPES)[number];

const BITS: Record<StDtype, number> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

const RANK = new Map<string, number>(ST_DTYPES.map((d, i) => [d, i]));

export function isStDtype(s: unknown): s is StDtype {
  return typeof s === 'string' && RANK.has(s);
}

/** Size of one element in bits (4 and 6 for the sub-byte float formats). */
export function dtypeBits(d: StDtype): number {
  return BITS[d];
}

/** Position in the Rust enum order (BOOL = 0 … U64 = 21). */
export function dtypeRank(d: StDtype): number {
  return RANK.get(d) as number;
}

/** Element count of a shape, or null when it is not a safe integer (overflow). Empty shape → 1 (a scalar). */
export function shapeNumel(shape: readonly number[]): number | null {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}

/**
 * Byte size of a tensor: numel · bits / 8. Returns null on overflow, 'misaligned' when the bit count is not a
 * whole number of bytes (possible only for F4/F6).
 */
export function tensorByteSize(dtype: StDtype, shape: readonly number[]): number | null | 'misaligned' {
  const numel = shapeNumel(shape);
  if (numel === null) return null;
  const bits = numel * BITS[dtype];
  if (!Number.isSafeInteger(bits)) return null;
  if (bits % 8 !== 0) return 'misaligned';
  return bits / 8;
}
