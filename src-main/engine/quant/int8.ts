// LLM.int8 weight quantisation (peft-spec §2.8), plain JavaScript. Ported from bitsandbytes `nn/modules.py`
// Int8Params._quantize and `backends/default/ops.py` int8_vectorwise_quant / int8_vectorwise_dequant.
//
// W (m, n) is first cast to float16 (Int8Params quantises `weight.to(float16)`), then row-wise absmax:
//   SCB_i = max_j |W_ij| (float32, shape [m]),  CB_ij = round(W_ij · fround(127 / SCB_i)) as int8,
// rounding half to even like torch.round. A zero row has SCB 0 and CB 0.
// Dequantisation: Ŵ_ij = fround(fround(CB_ij · SCB_i) · 7.874015718698502e−3)  (the float32 of 1/127).
import { f16ToF32, f32ToF16 } from '../model/dtype';

const f = Math.fround;
/** bitsandbytes multiplies by this float32 constant instead of dividing by 127. */
export const INV_127 = f(7.874015718698502e-3);

export interface Int8Rows {
  /** (m, n) int8 codes, row-major. */
  cb: Int8Array;
  /** (m) float32 row absmax. */
  scb: Float32Array;
  shape: [number, number];
}

/** torch.round: to nearest, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties toward +∞
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function quantizeInt8Rows(w: Float32Array, shape: [number, number]): Int8Rows {
  const [m, n] = shape;
  const half = f16ToF32(f32ToF16(w));
  const cb = new Int8Array(m * n);
  const scb = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let absmax = 0;
    for (let j = 0; j < n; j++) absmax = Math.max(absmax, Math.abs(half[i * n + j]));
    scb[i] = absmax;
    if (absmax === 0) continue;
    const scale = f(127 / absmax);
    for (let j = 0; j < n; j++) cb[i * n + j] = roundHalfEven(f(half[i * n + j] * scale));
  }
  return { cb, scb, shape: [m, n] };
}

/** The reference dequantisation (float32, row-major (m, n)). */
export function dequantizeInt8Rows(q: Int8Rows): Float32Array {
  const [m, n] = q.shape;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = f(f(q.cb[i * n + j] * q.scb[i]) * INV_127);
  }
  return out;
}

/** int8 codes as the unsigned bytes they are stored as (two's complement). */
export function int8Bytes(cb: Int8Array): Uint8Array {
  return new Uint8Array(cb.buffer, cb.byteOffset, cb.byteLength);
}

/** value(byte) of a signed byte: the 256-entry table the dequantisation kernel looks codes up in. */
export function int8Table(): Float32Array {
  return Float32Array.from({ length: 256 }, (_, b) => (b < 128 ? b : b - 256));
}
