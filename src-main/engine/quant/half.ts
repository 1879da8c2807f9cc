// 16-bit storage of frozen weights: bfloat16 or IEEE float16, narrowed with round-to-nearest-even (model/dtype.ts)
// and widened exactly to float32 for compute. A half type is an object registered by name.
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../model/dtype';

export type HalfTypeName = 'bf16' | 'fp16';

export interface HalfType {
  readonly name: HalfTypeName;
  /** safetensors dtype string. */
  readonly stDtype: 'BF16' | 'F16';
  narrow(x: Float32Array): Uint16Array;
  widen(h: Uint16Array): Float32Array;
}

export const BF16: HalfType = { name: 'bf16', stDtype: 'BF16', narrow: (x) => f32ToBf16(x), widen: (h) => bf16ToF32(h) };
export const FP16: HalfType = { name: 'fp16', stDtype: 'F16', narrow: (x) => f32ToF16(x), widen: (h) => f16ToF32(h) };

const halfTypes = new Map<string, HalfType>([[BF16.name, BF16], [FP16.name, FP16]]);

export function halfType(name: string): HalfType | undefined {
  return halfTypes.get(name);
}

export function registerHalfType(t: HalfType): void {
  halfTypes.set(t.name, t);
}

/** All 65536 values of a half type as float32 (the lookup table of the pure-ops dequantisation path). */
export function halfValueTable(t: HalfType): Float32Array {
  return t.widen(Uint16Array.from({ length: 65536 }, (_, i) => i));
}
