// A frozen weight stored at 16 bits (bfloat16 or float16), two values to an int32 word, widened exactly to
// float32 just in time for the matmul. Legend: m out, n in.
import * as tf from '@tensorflow/tfjs';
import { dequantPath } from './dequant';
import type { HalfType } from './half';
import { PackedWeight } from './packed-weight';
import { halvesToWords, wordsToHalves } from './words';

export class HalfWeight extends PackedWeight {
  readonly format: string;

  private constructor(shape: [number, number], private readonly words: tf.Tensor1D, readonly type: HalfType) {
    super(shape);
    this.format = type.name;
  }

  /** Narrows float32 values (row-major (m, n)) with round-to-nearest-even. */
  static quantize(data: Float32Array, shape: [number, number], type: HalfType): HalfWeight {
    return HalfWeight.fromHalves(type.narrow(data), shape, type);
  }

  static fromHalves(halves: Uint16Array, shape: [number, number], type: HalfType): HalfWeight {
    return new HalfWeight(shape, tf.tensor1d(halvesToWords(halves), 'int32'), type);
  }

  protected tensors(): tf.Tensor[] {
    return [this.words];
  }

  dequantize(): tf.Tensor2D {
    return dequantPath().half(this.words, { kind: this.type.name, shape: this.shape }) as tf.Tensor2D; // (m, n)
  }

  protected repack(data: Float32Array): HalfWeight {
    return HalfWeight.quantize(data, this.shape, this.type);
  }

  async read(): Promise<Uint16Array> {
    return wordsToHalves((await this.words.data()) as Int32Array, this.shape[0] * this.shape[1]);
  }
}
