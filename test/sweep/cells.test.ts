// The bit-width side of a sweep cell: which bit widths run, which combinations cannot exist, the `base` each cell's
// run spec carries (QLoRA = NF4 + double quantisation), and the pre-flight memory of the base at each width.
import { describe, expect, it } from 'vitest';
import { expandGrid } from '../../src-shared/domain/grid';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import type { SweepSpecInput } from '../../src-shared/domain/sweep-spec';
import { parseModelConfig } from '../../src-main/engine/model/config';
import { architectureFor } from '../../src-main/engine/model/architectures/registry';
import { baseWeightBytesAt } from '../../src-main/engine/plan/memory';
import { supportedBaseBits } from '../../src-main/engine/quant/formats';
import { cellAvailability, cellRunSpec } from '../../src-main/sweep/cells';

const SPEC: SweepSpecInput = {
  name: 'bits',
  model: '/models/x',
  dataset: { path: '/data/x.jsonl' },
  sequence: { maxLength: 64 },
  training: { maxSteps: 10 },
  axes: { method: ['lora', 'qlora'], r: [8], targets: [{ preset: 'attention-qv' }], bits: [32, 16, 8, 4] },
};

const spec = SweepSpecSchema.parse(SPEC);
const cells = expandGrid(spec);
const find = (method: string, bits: number) => cells.find((c) => c.method === method && c.bits === bits)!;

describe('bit widths of the grid', () => {
  it('runs every bit width: 32, 16, 8 and 4', () => {
    expect(supportedBaseBits()).toEqual([32, 16, 8, 4]);
    for (const bits of [32, 16, 8, 4]) expect(cellAvailability(find('lora', bits))).toEqual({ state: 'ok' });
  });

  it('QLoRA exists at 4 bits only; full fine-tuning at 32 bits only', () => {
    expect(cellAvailability(find('qlora', 4))).toEqual({ state: 'ok' });
    for (const bits of [32, 16, 8]) expect(cellAvailability(find('qlora', bits)).state).toBe('impossible');
    const full = { ...find('lora', 4), method: 'full' as const };
    expect(cellAvailability(full)).toMatchObject({ state: 'impossible', reason: expect.stringContaining('packed at 4 bits') });
  });

  it('gives each cell\'s run spec its base: QLoRA = NF4 + double quantisation, blocks of 64', () => {
    expect(cellRunSpec(spec, find('qlora', 4), '/out').base).toEqual({
      bits: 4, quantType: 'nf4', doubleQuant: true, blocksize: 64, int8Threshold: 6, halfType: 'bf16',
    });
    expect(cellRunSpec(spec, find('lora', 8), '/out').base).toMatchObject({ bits: 8, int8Threshold: 6 });
    expect(cellRunSpec(spec, find('lora', 16), '/out').base).toMatchObject({ bits: 16, halfType: 'bf16' });
    expect(cellRunSpec(spec, find('lora', 32), '/out').base).toMatchObject({ bits: 32 });
  });
});

describe('pre-flight memory of the base at each width', () => {
  // H 64, I 160, 2 layers, 4 heads / 2 kv heads (head 16): q, o 64·64, k, v 32·64, gate, up 160·64, down 64·160;
  // per layer 2·4096 + 2·2048 + 3·10240 = 43,008 linear weights, 86,016 in all; the rest (embeddings 100·64,
  // lm_head 100·64, norms 2·2·64 + 64) = 13,120 stays float32 (52,480 bytes).
  const config = parseModelConfig({
    model_type: 'llama', vocab_size: 100, hidden_size: 64, intermediate_size: 160, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2,
  }, 'test');
  const model = { config, arch: architectureFor(config) };
  const linear = 86016;
  const rest = 52480;

  it('32 / 16 bits: 4 / 2 bytes per linear weight', () => {
    expect(baseWeightBytesAt(model, 32)).toBe(linear * 4 + rest);
    expect(baseWeightBytesAt(model, 16)).toBe(linear * 2 + rest);
  });

  it('8 bits: one byte per weight plus one float32 per output row (8 + 32/n bits)', () => {
    const rows = 2 * (64 + 32 + 32 + 64 + 160 + 160 + 64);
    expect(baseWeightBytesAt(model, 8)).toBe(linear + 4 * rows + rest);
  });

  it('4 bits: NF4 with double quantisation, 4 + 8/64 + 32/16384 bits', () => {
    expect(baseWeightBytesAt(model, 4)).toBe(Math.ceil((linear * (4 + 8 / 64 + 32 / 16384)) / 8 + rest));
  });
});
