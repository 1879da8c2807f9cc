// The pre-flight's memory column follows the sweep's training settings: with training.gradientCheckpointing the
// activation term of every cell shrinks (one layer's activations at a time instead of all of them) while the
// weights, adapter, gradients, optimizer and runtime terms stay; the method's own activations (LoRA's ops per
// adapted module, prompt tuning's virtual tokens) count.
import { describe, expect, it } from 'vitest';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import type { SweepSpecInput } from '../../src-shared/domain/sweep-spec';
import type { CellPreflight } from '../../src-shared/domain/preflight';
import { architectureFor } from '../../src-main/engine/model/architectures/registry';
import { parseModelConfig } from '../../src-main/engine/model/config';
import { estimateTrainingMemory } from '../../src-main/engine/plan/memory';
import { preflight } from '../../src-main/sweep/preflight';

const config = parseModelConfig({
  model_type: 'llama', vocab_size: 1000, hidden_size: 128, intermediate_size: 344, num_hidden_layers: 4,
  num_attention_heads: 4, num_key_value_heads: 4,
}, 'test');
const model = { config, arch: architectureFor(config) };

function cells(training: SweepSpecInput['training']): CellPreflight[] {
  const spec = SweepSpecSchema.parse({
    name: 'memory', model: '/models/x', dataset: { path: '/data/x.jsonl' }, sequence: { maxLength: 512 }, training,
    axes: { method: ['lora', 'prompt'], r: [8, 64], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], bits: [32, 4] },
  });
  return preflight(spec, { model, maxSteps: 10, trainExamples: 100, validationExamples: 0, backend: 'cpu' }).cells;
}

describe('pre-flight memory with gradient checkpointing', () => {
  const plain = cells({ maxSteps: 10, batchSize: 4 });
  const checkpointed = cells({ maxSteps: 10, batchSize: 4, gradientCheckpointing: true });

  it('lowers the activations of every runnable cell and nothing else', () => {
    const runnable = plain.filter((c) => c.memory);
    expect(runnable.length).toBeGreaterThan(4);
    for (const p of runnable) {
      const g = checkpointed.find((c) => c.cell.key === p.cell.key)!.memory!;
      const m = p.memory!;
      expect(g.activationBytes, p.cell.label).toBeLessThan(m.activationBytes / 2);
      expect({ ...g, activationBytes: 0, totalBytes: 0 }).toEqual({ ...m, activationBytes: 0, totalBytes: 0 });
      expect(m.totalBytes - g.totalBytes).toBe(m.activationBytes - g.activationBytes);
    }
  });

  it('counts the method: more adapted modules, more activations; prompt tuning\'s virtual tokens lengthen every row', () => {
    const act = (label: string) => plain.find((c) => c.cell.label === label)!.memory!.activationBytes;
    expect(act('lora · r=8 · all linear · 32-bit')).toBeGreaterThan(act('lora · r=8 · attention q,v · 32-bit'));
    expect(act('lora · r=64 · attention q,v · 32-bit')).toBeGreaterThan(act('lora · r=8 · attention q,v · 32-bit'));
    const bare = estimateTrainingMemory(model, { trainableParams: 0, baseParams: 0, batchSize: 4, seqLen: 512 }).activationBytes;
    const prompt = plain.find((c) => c.cell.method === 'prompt' && c.cell.bits === 32)!.memory!.activationBytes;
    expect(prompt).toBeGreaterThan(bare); // the base model alone, on rows without the 20 virtual tokens
    expect(act('lora · r=8 · attention q,v · 32-bit')).toBeGreaterThan(bare);
  });

  it('a packed base keeps less: its matmuls save neither their input nor a copy of the weight', () => {
    const act = (bits: number) => plain.find((c) => c.cell.label === `lora · r=8 · attention q,v · ${bits}-bit`)!.memory!.activationBytes;
    expect(act(4)).toBeLessThan(act(32));
  });
});
