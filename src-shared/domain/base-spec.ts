// How the frozen base model's weights are stored while an adapter trains (run spec `base`, grid bit-width axis,
// CLI --bits): 32 = float32 as loaded; 16 = bfloat16/float16; 8 = LLM.int8 (row-wise absmax int8 with the
// activation outlier decomposition); 4 = bitsandbytes 4-bit, NF4 or FP4, blockwise absmax, optional double
// quantisation (peft-spec §2). Only the decoder's linear layers are quantised; embeddings, norms and lm_head stay
// float32 as in Transformers. Defaults are QLoRA's: NF4 with double quantisation, blocks of 64, τ = 6.0.
import { z } from 'zod';

export const BASE_BITS = [32, 16, 8, 4] as const;
export type BaseBits = (typeof BASE_BITS)[number];

const isBlocksize = (b: number) => b >= 32 && b <= 4096 && (b & (b - 1)) === 0;

export const BaseSpecSchema = z.strictObject({
  bits: z.union([z.literal(32), z.literal(16), z.literal(8), z.literal(4)]).default(32),
  /** 4-bit code book: nf4 (QLoRA) or fp4 (bitsandbytes' own default). */
  quantType: z.enum(['nf4', 'fp4']).default('nf4'),
  /** 4-bit: quantise the absmax constants again (8-bit, blocks of 256). Absent: on for nf4 (QLoRA), off for fp4. */
  doubleQuant: z.boolean().optional(),
  /** 4-bit: weights per absmax block, a power of two from 32 to 4096. */
  blocksize: z.number().int().refine(isBlocksize, { message: 'must be a power of two from 32 to 4096 (bitsandbytes default 64)' }).default(64),
  /** 8-bit: activations with |x| ≥ this make their column an outlier column kept at full precision; 0 turns it off. */
  int8Threshold: z.number().min(0).default(6),
  /** 16-bit: bf16 (default) or fp16. */
  halfType: z.enum(['bf16', 'fp16']).default('bf16'),
});
export type BaseSpecInput = z.input<typeof BaseSpecSchema>;
export type BaseSpec = z.output<typeof BaseSpecSchema>;

/** A base spec with every choice made (doubleQuant resolved). */
export interface BaseOptions {
  bits: BaseBits;
  quantType: 'nf4' | 'fp4';
  doubleQuant: boolean;
  blocksize: number;
  int8Threshold: number;
  halfType: 'bf16' | 'fp16';
}

/** Fills the defaults of an already validated spec (or of none: float32). */
export function resolveBaseOptions(spec?: BaseSpec | null): BaseOptions {
  const s = spec ?? BaseSpecSchema.parse({});
  return {
    bits: s.bits, quantType: s.quantType, doubleQuant: s.doubleQuant ?? s.quantType === 'nf4',
    blocksize: s.blocksize, int8Threshold: s.int8Threshold, halfType: s.halfType,
  };
}

/** QLoRA's base: 4-bit NF4 with double quantisation (the sweep method `qlora`). */
export const QLORA_BASE: BaseSpecInput = { bits: 4, quantType: 'nf4', doubleQuant: true };

/** e.g. "4-bit nf4 + double quantisation, blocksize 64", "8-bit LLM.int8 (threshold 6)", "32-bit float32". */
export function describeBase(o: BaseOptions): string {
  if (o.bits === 4) return `4-bit ${o.quantType}${o.doubleQuant ? ' + double quantisation' : ''}, blocksize ${o.blocksize}`;
  if (o.bits === 8) return `8-bit LLM.int8 (outlier threshold ${o.int8Threshold})`;
  if (o.bits === 16) return `16-bit ${o.halfType}`;
  return '32-bit float32';
}
