// Trainable-parameter reports against hand-derived counts and against a line PEFT itself printed.
// OpenLLaMA-3B (V 32000, H 3200, I 8640, 26 layers, 32 heads, untied): base = 2·V·H + 26·(4H² + 3·H·I + 2H) + H
//   = 204,800,000 + 26·123,910,400 + 3,200 = 3,426,473,600 (peft-spec §7.5 quotes the same total).
//   LoRA r=8 on q,v: 26 · 2 · 8·(3200+3200) = 2,662,400.
//   r=8 all-linear: 26 · 8·(4·6400 + 2·11840 + 11840) = 26 · 488,960 = 12,712,960; r=16 doubles it.
// Llama-3-8B (V 128256, H 4096, I 14336, 32 layers, 32 heads / 8 kv heads): PEFT prints
//   "trainable params: 6,815,744 || all params: 8,037,076,992 || trainable%: 0.0848" for r=16 on q,v
//   (q: 16·(4096+4096), v: 16·(4096+1024), × 32 layers). The % strings were computed with Python's f"{x:.4f}".
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterMethod } from '../../../src-main/engine/adapters/index';
import { readModelInfo } from '../../../src-main/engine/model/load';
import { pyFixed, pyThousands } from '../../../src-main/engine/plan/format';
import { estimateTrainingMemory } from '../../../src-main/engine/plan/memory';
import { planParameters } from '../../../src-main/engine/plan/params';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-plan-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function metaModel(name: string, config: Record<string, unknown>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

const OPEN_LLAMA_3B = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 32000, hidden_size: 3200, intermediate_size: 8640,
  num_hidden_layers: 26, num_attention_heads: 32, max_position_embeddings: 2048, rms_norm_eps: 1e-6, hidden_act: 'silu',
  tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2, pad_token_id: 0,
};
const LLAMA_3_8B = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 128256, hidden_size: 4096, intermediate_size: 14336,
  num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, max_position_embeddings: 8192, rms_norm_eps: 1e-5,
  rope_theta: 500000, hidden_act: 'silu', tie_word_embeddings: false, bos_token_id: 128000, eos_token_id: 128001,
};

async function report(dir: string, cfg: Record<string, unknown>) {
  const info = await readModelInfo(dir);
  expect(info.hasWeights).toBe(false); // a config-only ("meta") folder is enough to plan
  const method = adapterMethod('lora');
  return planParameters(info, method, method.parseConfig(cfg, 'method'));
}

describe('trainable-parameter report', () => {
  const open3b = metaModel('open_llama_3b', OPEN_LLAMA_3B);
  const llama3 = metaModel('llama3_8b', LLAMA_3_8B);

  it.each([
    [{ r: 8, targetModules: ['q_proj', 'v_proj'] }, 'trainable params: 2,662,400 || all params: 3,429,136,000 || trainable%: 0.0776'],
    [{ r: 16, targetModules: ['q_proj', 'v_proj'] }, 'trainable params: 5,324,800 || all params: 3,431,798,400 || trainable%: 0.1552'],
    [{ r: 8, targetModules: 'all-linear' }, 'trainable params: 12,712,960 || all params: 3,439,186,560 || trainable%: 0.3697'],
    [{ r: 16, targetModules: 'all-linear' }, 'trainable params: 25,425,920 || all params: 3,451,899,520 || trainable%: 0.7366'],
  ])('OpenLLaMA-3B %j', async (cfg, line) => {
    const r = await report(open3b, cfg);
    expect(r.base).toBe(3_426_473_600);
    expect(r.line).toBe(line);
  });

  it('Llama-3-8B (GQA) r=16 q,v matches the line PEFT prints', async () => {
    const r = await report(llama3, { r: 16, targetModules: ['q_proj', 'v_proj'] });
    expect(r.line).toBe('trainable params: 6,815,744 || all params: 8,037,076,992 || trainable%: 0.0848');
    expect(r.modules).toHaveLength(64);
  });

  // Lines published by others for these models: PEFT's README (LLaMA-7B r=8 q,v: 4,194,304 of 6,742,609,920) and
  // Mistral-7B (7,241,732,096 base parameters) r=8 q,v: 3,407,872 of 7,245,139,968.
  it.each([
    ['open_llama_7b_v2', 'trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622'],
    ['Mistral-7B-v0.1', 'trainable params: 3,407,872 || all params: 7,245,139,968 || trainable%: 0.0470'],
  ])('shipped model card %s gives the published count', async (card, line) => {
    const r = await report(path.resolve(__dirname, '../../../resources/model-cards', card), { r: 8 });
    expect(r.line).toBe(line);
  });

  it('default targets are the architecture\'s (q_proj, v_proj for llama)', async () => {
    const r = await report(open3b, { r: 8 });
    expect(r.trainable).toBe(2_662_400);
  });

  it('unknown targets and impossible ranks are clear errors', async () => {
    await expect(report(open3b, { targetModules: ['q_proj', 'qproj'] })).rejects.toMatchObject({
      code: 'UNKNOWN_TARGET_MODULE', message: expect.stringMatching(/"qproj" matches no linear module.*q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj/),
    });
    await expect(report(open3b, { targetModules: ['proj'] })).rejects.toMatchObject({ code: 'UNKNOWN_TARGET_MODULE' }); // no dot boundary
    await expect(report(open3b, { r: 4000, targetModules: ['q_proj'] })).rejects.toMatchObject({
      code: 'RANK_TOO_LARGE', message: expect.stringContaining('model.layers.0.self_attn.q_proj'),
    });
    await expect(report(open3b, { r: 0 })).rejects.toMatchObject({ code: 'SPEC_INVALID', message: expect.stringContaining('r') });
  });
});

describe('Python number formatting', () => {
  it('thousands separators', () => {
    expect(pyThousands(0)).toBe('0');
    expect(pyThousands(999)).toBe('999');
    expect(pyThousands(1000)).toBe('1,000');
    expect(pyThousands(3429136000)).toBe('3,429,136,000');
  });
  it('fixed-point rounds the exact binary value, ties to even (Python), unlike JS toFixed', () => {
    expect(pyFixed(12.53125, 4)).toBe('12.5312'); // exact tie: Python rounds to even; (12.53125).toFixed(4) is '12.5313'
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(3.5, 0)).toBe('4');
    expect(pyFixed(1.00005, 4)).toBe('1.0001'); // 1.00005 is stored slightly above the tie
    expect(pyFixed(-0.00001, 4)).toBe('-0.0000');
    expect(pyFixed(12.5, 4)).toBe('12.5000');
  });
});

describe('memory estimate', () => {
  it('adds float32 base weights, 16 bytes per trainable parameter and activations', async () => {
    const info = await readModelInfo(metaModel('mem', OPEN_LLAMA_3B));
    const m = estimateTrainingMemory(info, { trainableParams: 2_662_400, baseParams: 3_426_473_600, batchSize: 1, seqLen: 256 });
    expect(m.baseWeightBytes).toBe(3_426_473_600 * 4);
    expect(m.adapterBytes + m.gradientBytes + m.optimizerBytes).toBe(2_662_400 * 16);
    expect(m.activationBytes).toBeGreaterThan(0);
    const m4 = estimateTrainingMemory(info, { trainableParams: 2_662_400, baseParams: 3_426_473_600, baseBitsPerParam: 4.127, batchSize: 1, seqLen: 256 });
    expect(m4.baseWeightBytes).toBe(Math.ceil((3_426_473_600 * 4.127) / 8));
  });
});
