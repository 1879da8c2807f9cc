// A frozen weight in bitsandbytes' 4-bit format (NF4 or FP4, blockwise absmax, optionally double-quantised;
// peft-spec §2.3–2.4), held packed on the backend: the codes as int32 words (8 codes per word), the absmax either
// as float32 (one per block) or double-quantised (one uint8 per block in int32 words, one float32 per 256 blocks,
// and the mean offset as a number, like bitsandbytes' QuantState keeps it). Legend: m out, n in, N = m·n, K blocks.
import * as tf from '@tensorflow/tfjs';
import type { AbsmaxStats, Packed4bit, Quantize4bitOptions } from './blockwise';
import { quantize4bit } from './blockwise';
import type { FourBitCodebook } from './codebooks';
import { constantTable, dequantPath } from './dequant';
import { signedDynamicMap } from './dynamic-map';
import { PackedWeight } from './packed-weight';
import { bytesToWords, wordsToBytes } from './words';

/** Where the float32 absmax vector (K) comes from: held as is, or dequantised from its 8-bit codes. */
interface AbsmaxSource {
  readonly nested: boolean;
  tensors(): tf.Tensor[];
  /** (K) float32; call inside a tidy. */
  resolve(): tf.Tensor1D;
  read(): Promise<AbsmaxStats>;
}

class PlainAbsmax implements AbsmaxSource {
  readonly nested = false;
  constructor(private readonly absmax: tf.Tensor1D) {}
  tensors() {
    return [this.absmax];
  }
  resolve() {
    return this.absmax;
  }
  async read(): Promise<AbsmaxStats> {
    return { kind: 'plain', absmax: (await this.absmax.data()) as Float32Array };
  }
}

class NestedAbsmax implements AbsmaxSource {
  readonly nested = true;
  constructor(
    private readonly codes: tf.Tensor1D,
    private readonly absmax2: tf.Tensor1D,
    private readonly offset: number,
    private readonly k: number,
    private readonly blocksize: number,
  ) {}
  tensors() {
    return [this.codes, this.absmax2];
  }
  resolve(): tf.Tensor1D {
    const map = constantTable('dynamic-map', signedDynamicMap);
    return dequantPath().blockwise(this.codes, map, this.absmax2,
      { bits: 8, shape: [this.k], blocksize: this.blocksize, postScale: 1, offset: this.offset }) as tf.Tensor1D;
  }
  async read(): Promise<AbsmaxStats> {
    const codes = wordsToBytes((await this.codes.data()) as Int32Array, this.k);
    const absmax = (await this.absmax2.data()) as Float32Array;
    return { kind: 'nested', offset: this.offset, inner: { codes, absmax, blocksize: this.blocksize } };
  }
}

function uploadStats(s: AbsmaxStats): AbsmaxSource {
  if (s.kind === 'plain') return new PlainAbsmax(tf.tensor1d(s.absmax, 'float32'));
  return new NestedAbsmax(tf.tensor1d(bytesToWords(s.inner.codes), 'int32'), tf.tensor1d(s.inner.absmax, 'float32'), s.offset, s.inner.codes.length, s.inner.blocksize);
}

export class FourBitWeight extends PackedWeight {
  readonly format: string;

  private constructor(
    shape: [number, number],
    private readonly words: tf.Tensor1D,
    private readonly absmax: AbsmaxSource,
    readonly codebook: FourBitCodebook,
    readonly blocksize: number,
  ) {
    super(shape);
    this.format = `${codebook.name}${absmax.nested ? ' + double quantisation' : ''}, blocksize ${blocksize}`;
  }

  /** Uploads packed data (from quantize4bit or a bitsandbytes checkpoint) to the current backend. */
  static fromPacked(p: Packed4bit): FourBitWeight {
    const shape: [number, number] = [p.shape[0], p.shape.length > 1 ? p.shape[1] : 1];
    const words = tf.tensor1d(bytesToWords(p.bytes), 'int32');
    return new FourBitWeight(shape, words, uploadStats(p.stats), p.codebook, p.blocksize);
  }

  static quantize(data: Float32Array, shape: [number, number], o: Quantize4bitOptions): FourBitWeight {
    return FourBitWeight.fromPacked(quantize4bit(data, shape, o));
  }

  get doubleQuant(): boolean {
    return this.absmax.nested;
  }

  protected tensors(): tf.Tensor[] {
    return [this.words, ...this.absmax.tensors()];
  }

  dequantize(): tf.Tensor2D {
    const table = constantTable(`4bit:${this.codebook.name}`, () => this.codebook.values);
    return dequantPath().blockwise(this.words, table, this.absmax.resolve(),
      { bits: 4, shape: this.shape, blocksize: this.blocksize, postScale: 1, offset: 0 }) as tf.Tensor2D; // (m, n)
  }

  protected repack(data: Float32Array): FourBitWeight {
    return FourBitWeight.quantize(data, this.shape, { codebook: this.codebook, blocksize: this.blocksize, doubleQuant: this.doubleQuant });
  }

  /** The packed data read back from the backend (bitsandbytes' layout, for writing checkpoints). */
  async read(): Promise<Packed4bit> {
    const size = this.shape[0] * this.shape[1];
    const bytes = wordsToBytes((await this.words.data()) as Int32Array, Math.ceil(size / 2));
    return { shape: this.shape.slice(), size, codebook: this.codebook, blocksize: this.blocksize, bytes, stats: await this.absmax.read() };
  }
}
