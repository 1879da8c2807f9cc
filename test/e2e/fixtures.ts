// What the end-to-end test trains on: the tiny LLaMA (H 32, I 64, 2 layers, 4 heads, 2 KV heads) with the tiny
// byte-level tokenizer, and twelve short instruction records. Trainable LoRA counts are derived here by hand from
// the shapes, independently of the engine's planner.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTinyModel } from '../helpers/tiny-model';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';

export const HIDDEN = 32;
export const INTERMEDIATE = 64;
export const LAYERS = 2;
export const HEADS = 4;
export const KV_HEADS = 2;

export const RECORDS = [
  { instruction: 'Add 2 and 3.', output: '2 + 3 = 5.' },
  { instruction: 'Name a colour.', output: 'Blue.' },
  { instruction: 'Spell cat.', output: 'c a t' },
  { instruction: 'Say hello.', output: 'Hello!' },
  { instruction: 'Count to three.', output: '1, 2, 3' },
  { instruction: 'Opposite of up?', output: 'Down.' },
  { instruction: 'Add 1 and 1.', output: '1 + 1 = 2.' },
  { instruction: 'Name a fruit.', output: 'An apple.' },
  { instruction: 'Spell dog.', output: 'd o g' },
  { instruction: 'Say bye.', output: 'Goodbye!' },
  { instruction: 'Count to two.', output: '1, 2' },
  { instruction: 'Opposite of hot?', output: 'Cold.' },
];

/** The custom template the test types into the UI (prompt "Q: …\nA: ", response the output). */
export const PROMPT_TEMPLATE = 'Q: {instruction}\nA: ';
export const RESPONSE_TEMPLATE = '{output}';

export async function writeFixtures(root: string): Promise<{ modelDir: string; datasetPath: string }> {
  const modelDir = path.join(root, 'tiny-llama');
  await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: HIDDEN, intermediateSize: INTERMEDIATE, numLayers: LAYERS, numHeads: HEADS, numKvHeads: KV_HEADS, eosTokenId: TINY_EOS_ID, std: 0.4 });
  await writeTinyTokenizer(modelDir);
  const datasetPath = path.join(root, 'tiny-instructions.jsonl');
  fs.writeFileSync(datasetPath, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { modelDir, datasetPath };
}

/** [in, out] features of every linear module of one decoder layer. */
function layerModules(): Record<string, [number, number]> {
  const headDim = HIDDEN / HEADS; // 8
  const kvDim = KV_HEADS * headDim; // 16
  return {
    q_proj: [HIDDEN, HIDDEN], k_proj: [HIDDEN, kvDim], v_proj: [HIDDEN, kvDim], o_proj: [HIDDEN, HIDDEN],
    gate_proj: [HIDDEN, INTERMEDIATE], up_proj: [HIDDEN, INTERMEDIATE], down_proj: [INTERMEDIATE, HIDDEN],
  };
}

/** LoRA adds A (r × in) and B (out × r) to each targeted module of every layer: r · (in + out). */
export function loraTrainable(r: number, modules: string[]): number {
  const shapes = layerModules();
  return LAYERS * modules.reduce((sum, m) => sum + r * (shapes[m][0] + shapes[m][1]), 0);
}

export const ATTENTION_QV = ['q_proj', 'v_proj'];
/** PEFT's all-linear: every linear layer except the output head. */
export const ALL_LINEAR = Object.keys(layerModules());
