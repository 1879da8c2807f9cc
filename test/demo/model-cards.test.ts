// The model cards added for the demo issue plan to the published sizes of their models, and LoRA r 8 on q,v adds
// r·(in + out) per adapted matrix, worked out by hand from each config.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterMethod } from '../../src-main/engine/adapters/index';
import { readModelInfo } from '../../src-main/engine/model/load';
import { planParameters } from '../../src-main/engine/plan/params';

const cards = path.resolve(__dirname, '../../resources/model-cards');

const CASES = [
  // Llama-2-7B: 32 layers, q and v 4096 → 4096: 2 · 8 · 8192 · 32
  { name: 'Llama-2-7B', base: 6_738_415_616, loraQv: 2 * 8 * 8192 * 32 },
  // Qwen2.5-0.5B: 24 layers, q 896 → 896, v 896 → 2 · 64 = 128: 8 · (1792 + 1024) · 24
  { name: 'Qwen2.5-0.5B', base: 494_032_768, loraQv: 8 * (1792 + 1024) * 24 },
  // SmolLM2-135M: 30 layers, q 576 → 576, v 576 → 3 · 64 = 192: 8 · (1152 + 768) · 30
  { name: 'SmolLM2-135M', base: 134_515_008, loraQv: 8 * (1152 + 768) * 30 },
];

describe('model cards', () => {
  for (const c of CASES) {
    it(`${c.name} has ${c.base.toLocaleString('en-US')} parameters and LoRA r 8 on q,v adds ${c.loraQv.toLocaleString('en-US')}`, async () => {
      const info = await readModelInfo(path.join(cards, c.name));
      expect(info.hasWeights).toBe(false);
      const lora = adapterMethod('lora');
      const report = planParameters(info, lora, lora.parseConfig({ method: 'lora', r: 8, loraAlpha: 16, targetModules: ['q_proj', 'v_proj'] }, 'test'));
      expect(report.base).toBe(c.base);
      expect(report.trainable).toBe(c.loraQv);
    });
  }
});
