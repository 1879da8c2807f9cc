// The committed demo base model (resources/demo/model): a loadable Hugging Face folder of the stated size whose
// perplexity on held-out text (definitions of the validation words, which no training text contains) is finite
// and far better than a uniform guess over the vocabulary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src-main/engine/backends/index';
import type { CausalLM } from '../../src-main/engine/model/causal-lm';
import { loadModel } from '../../src-main/engine/model/load';
import { TextTokenizer } from '../../src-main/engine/model/tokenizer';
import { padIdFor } from '../../src-main/engine/train/batching';
import { evaluateLoss } from '../../src-main/engine/train/evaluate';
import { renderExample } from '../../src-main/engine/train/templates';
import { tokenizeExamples } from '../../src-main/engine/train/tokenize';

const dir = path.resolve(__dirname, '../../resources/demo/model');
let model: CausalLM;

beforeAll(async () => {
  await useBackend('wasm');
  model = await loadModel(dir);
});
afterAll(() => model?.dispose());

describe('demo base model', () => {
  it('is the stated LLaMA architecture in a small float32 file', () => {
    const c = model.config;
    expect([c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.tieWordEmbeddings]).toEqual([2048, 128, 4, 4, true]);
    // embeddings 2048·128 + 4 layers · (4·128² + 3·128·344 + 2·128) + final norm 128
    const params = 2048 * 128 + 4 * (4 * 128 * 128 + 3 * 128 * 344 + 2 * 128) + 128;
    expect(params).toBe(1_053_824);
    const bytes = fs.statSync(path.join(dir, 'model.safetensors')).size;
    expect(bytes).toBeGreaterThan(params * 4);
    expect(bytes).toBeLessThan(params * 4 + 16_384); // float32 + the header
  });

  it('has a finite perplexity far below uniform on held-out definitions', async () => {
    const tok = await TextTokenizer.fromDir(dir);
    const records = fs.readFileSync(path.resolve(dir, '../data/validation.jsonl'), 'utf8').trim().split('\n').slice(0, 48).map((l) => JSON.parse(l));
    const template = { kind: 'custom' as const, prompt: '', response: '{output}' };
    const { examples } = tokenizeExamples(tok, records.map((r) => renderExample(template, r)), { maxLength: 128, packing: false, lossOn: 'all', addEos: true });
    const r = await evaluateLoss(model, examples, { batchSize: 16, maxLength: 128, packing: false, padId: padIdFor(tok), shuffle: false });
    expect(r.tokens).toBeGreaterThan(500);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.loss).toBeLessThan(Math.log(2048) - 2); // uniform: ln 2048 = 7.62 nats per token
  });
});
