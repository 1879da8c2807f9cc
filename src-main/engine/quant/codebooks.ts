// The 4-bit code books of bitsandbytes (peft-spec §2.1, §2.2): NF4 (QLoRA's) and FP4 (bitsandbytes' and
// Transformers' default). Ported from bitsandbytes `functional.py` get_4bit_type and `csrc/kernels.cu`
// (nf4_dequantization_lut, dQuantizeNF4, dQuantizeFP4); the values are the spec's float32 tables.
// A code book is an object (values + encoder), registered by name; the packing code never switches on the name.

export type FourBitTypeName = 'nf4' | 'fp4';

export interface FourBitCodebook {
  readonly name: FourBitTypeName;
  /** value(code) for the 16 codes, float32 (the `quant_map` bitsandbytes stores). */
  readonly values: Float32Array;
  /** The 4-bit code of a normalised value u ∈ [−1, 1] (a value exactly on a boundary takes the lower code). */
  encode(u: number): number;
}

const f32FromBits = (bits: number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);

/** NF4 values as float32 bit patterns, code 0 … 15 (peft-spec §2.1 table). */
const NF4_BITS = [
  0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f, 0xbdba7871, 0x00000000,
  0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3, 0x3f800000,
];

/** Float32 midpoints between adjacent NF4 codes (bit-identical to the CUDA kernel's thresholds). */
const NF4_THRESHOLDS = Float32Array.from([
  -0.8480963706970215, -0.6106328964233398, -0.4599952697753906, -0.33967941999435425, -0.23460739850997925,
  -0.13791173696517944, -0.045525018125772476, 0.03979014977812767, 0.120255246758461, 0.2035212516784668,
  0.2920137643814087, 0.3893125355243683, 0.5016634464263916, 0.6427869200706482, 0.8614784479141235,
]);

export const NF4: FourBitCodebook = {
  name: 'nf4',
  values: f32FromBits(NF4_BITS),
  /** code = number of thresholds strictly below u (binary search over the 15 sorted thresholds). */
  encode(u: number): number {
    let lo = 0;
    let hi = NF4_THRESHOLDS.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (NF4_THRESHOLDS[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  },
};

/** FP4 raw magnitudes by bits 2..0 (1 sign, 2 exponent, 1 mantissa bit), normalised by their maximum 12. */
const FP4_RAW = [0, 0.0625, 8, 12, 4, 6, 2, 3];
const FP4_VALUES = new Float32Array(16);
for (let c = 0; c < 16; c++) FP4_VALUES[c] = (c & 8 ? -1 : 1) * Math.fround(FP4_RAW[c & 7] / 12);

/** The CUDA kernel's pivots, as float32 literals (strict `>` comparisons). */
const FP4_PIVOT = Float32Array.from([0.00260417, 0.0859375, 0.20833333, 0.29166667, 0.4166667, 0.583333, 0.8333333]);

export const FP4: FourBitCodebook = {
  name: 'fp4',
  values: FP4_VALUES,
  /** Sign bit = (u < 0); magnitude bits by the decision tree of dQuantizeFP4. */
  encode(u: number): number {
    const sign = u < 0 ? 8 : 0;
    const x = Math.abs(u);
    const p = FP4_PIVOT;
    if (x > p[3]) {
      if (x > p[5]) return (x > p[6] ? 0b011 : 0b010) + sign;
      return (x > p[4] ? 0b101 : 0b100) + sign;
    }
    if (x > p[1]) return (x > p[2] ? 0b111 : 0b110) + sign;
    return (x > p[0] ? 0b001 : 0b000) + sign;
  },
};

const codebooks = new Map<string, FourBitCodebook>();

export function registerFourBitCodebook(c: FourBitCodebook): void {
  codebooks.set(c.name, c);
}

/** The registered code book of that name, or undefined. */
export function fourBitCodebook(name: string): FourBitCodebook | undefined {
  return codebooks.get(name);
}

export function fourBitTypeNames(): string[] {
  return [...codebooks.keys()];
}

registerFourBitCodebook(NF4);
registerFourBitCodebook(FP4);
