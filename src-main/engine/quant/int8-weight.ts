// A frozen weight in LLM.int8's format (peft-spec §2.8): int8 codes CB (m, n), four to an int32 word, and the
// float32 row absmax SCB (m). Its matmul quantises the activations row-wise with the outlier decomposition
// (int8-matmul.ts) and multiplies by Ŵ = CB·SCB/127, dequantised just in time. Legend: m out, n in.
import * as tf from '@tensorflow/tfjs';
import { constantTable, dequantPath } from './dequant';
import { int8Forward } from './int8-matmul';
import type { Int8Rows } from './int8';
import { INV_127, int8Bytes, int8Table, quantizeInt8Rows } from './int8';
import { PackedWeight } from './packed-weight';
import { bytesToWords, wordsToBytes } from './words';

export class Int8Weight extends PackedWeight {
  readonly format: string;

  private constructor(
    shape: [number, number],
    private readonly words: tf.Tensor1D,
    private readonly scb: tf.Tensor1D,
    /** LLM.int8's outlier threshold τ (llm_int8_threshold); 0 = no decomposition. */
    readonly threshold: number,
  ) {
    super(shape);
    this.format = `int8 (LLM.int8, outlier threshold ${threshold})`;
  }

  static fromRows(q: Int8Rows, threshold: number): Int8Weight {
    const words = tf.tensor1d(bytesToWords(int8Bytes(q.cb)), 'int32');
    return new Int8Weight(q.shape, words, tf.tensor1d(q.scb, 'float32'), threshold);
  }

  static quantize(data: Float32Array, shape: [number, number], threshold: number): Int8Weight {
    return Int8Weight.fromRows(quantizeInt8Rows(data, shape), threshold);
  }

  protected tensors(): tf.Tensor[] {
    return [this.words, this.scb];
  }

  /** Ŵ = CB·SCB/127 (m, n). */
  dequantize(): tf.Tensor2D {
    const table = constantTable('int8', int8Table);
    return dequantPath().blockwise(this.words, table, this.scb,
      { bits: 8, shape: this.shape, blocksize: this.shape[1], postScale: INV_127, offset: 0 }) as tf.Tensor2D;
  }

  override matmul(x: tf.Tensor2D): tf.Tensor2D {
    return this.matmulWith(x, int8Forward(this.threshold));
  }

  protected repack(data: Float32Array): Int8Weight {
    return Int8Weight.quantize(data, this.shape, this.threshold);
  }

  async read(): Promise<Int8Rows> {
    const bytes = wordsToBytes((await this.words.data()) as Int32Array, this.shape[0] * this.shape[1]);
    return { cb: new Int8Array(bytes.buffer), scb: (await this.scb.data()) as Float32Array, shape: [this.shape[0], this.shape[1]] };
  }
}
