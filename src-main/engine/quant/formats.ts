// Storage formats of frozen base weights. The engine holds dense float32 weights today; packed 16/8/4-bit
// formats register here as they are implemented, and the sweep pre-flight reads this list to tell which bit
// widths can run.

export interface BaseFormat {
  bits: 32 | 16 | 8 | 4;
  name: string;
}

const formats = new Map<number, BaseFormat>([[32, { bits: 32, name: 'float32' }]]);

export function registerBaseFormat(f: BaseFormat): void {
  formats.set(f.bits, f);
}

export function supportedBaseBits(): number[] {
  return [...formats.keys()].sort((a, b) => b - a);
}

/**
 * Storage bits per weight of a linear layer's matrix (n inputs) at a nominal bit width, constants included
 * (peft-spec §2): 4-bit NF4 with double quantisation 4 + 8/64 + 32/(64·256) = 4.127; LLM.int8 one float32
 * scale per output row, 8 + 32/n; 16-bit exactly 16; float32 32.
 */
export function bitsPerWeight(bits: number, inFeatures: number): number {
  if (bits === 4) return 4 + 8 / 64 + 32 / (64 * 256);
  if (bits === 8) return 8 + 32 / inFeatures;
  return bits;
}
