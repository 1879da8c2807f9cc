// The perplexity table of `npm run bench`: a small byte-level LLaMA-style test model (hidden 128, 2 layers,
// vocab 267), trained from scratch with full fine-tuning on text from a seeded toy grammar, scored on held-out
// sentences of the same grammar with its decoder weights at 32, 16 (bf16, fp16), 8 (LLM.int8) and 4 bits (NF4 with
// and without double quantisation, FP4). The trained model is cached in the temp folder (its name carries the
// recipe's version), so a second bench run only evaluates. Run in its own process by bench-quant.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BaseSpecInput } from '../src-shared/domain/base-spec';
import { BaseSpecSchema, describeBase, resolveBaseOptions } from '../src-shared/domain/base-spec';
import { RunSpecSchema } from '../src-shared/domain/run-spec';
import { useBackend } from '../src-main/engine/backends/index';
import { loadModel } from '../src-main/engine/model/load';
import { TextTokenizer } from '../src-main/engine/model/tokenizer';
import { measureBaseWeights } from '../src-main/engine/quant/measure';
import { Rng } from '../src-main/engine/rng';
import { padIdFor } from '../src-main/engine/train/batching';
import { evaluateLoss } from '../src-main/engine/train/evaluate';
import { renderExample } from '../src-main/engine/train/templates';
import { tokenizeExamples } from '../src-main/engine/train/tokenize';
import { runTraining } from '../src-main/engine/train/trainer';
import { TINY_VOCAB_SIZE, writeTinyTokenizer } from '../test/helpers/tiny-tokenizer';
import { writeTinyModel } from '../test/helpers/tiny-model';

const RECIPE = 'v1';
const STEPS = 300;
const TEMPLATE = { kind: 'custom' as const, prompt: '', response: '{text}' };
const SEQUENCE = { maxLength: 128, packing: true, lossOn: 'all' as const };

export interface PerplexityRow {
  base: string;
  bitsPerWeight: number;
  loss: number;
  perplexity: number;
}

export interface PerplexityResult {
  model: string;
  training: string;
  heldOut: { sentences: number; tokens: number };
  rows: PerplexityRow[];
}

const WORDS = {
  det: ['the', 'a', 'every', 'one', 'that', 'some'],
  adj: ['small', 'quiet', 'bright', 'old', 'green', 'heavy', 'quick', 'gentle', 'strange', 'cold', 'narrow', 'golden'],
  noun: ['river', 'teacher', 'garden', 'machine', 'letter', 'window', 'sailor', 'mountain', 'kettle', 'village', 'lantern', 'student', 'engine', 'forest', 'basket'],
  verb: ['carries', 'follows', 'paints', 'finds', 'remembers', 'watches', 'repairs', 'opens', 'describes', 'leaves'],
  prep: ['near', 'under', 'behind', 'across', 'beside', 'inside'],
  adv: ['slowly', 'again', 'today', 'carefully', 'at night', 'without a word'],
};

/** One sentence of the toy grammar: NP verb NP [prep NP] [adverb]. */
function sentence(rng: Rng): string {
  const pick = (xs: string[]) => xs[Math.floor(rng.uniform() * xs.length)];
  const np = () => `${pick(WORDS.det)} ${rng.uniform() < 0.6 ? `${pick(WORDS.adj)} ` : ''}${pick(WORDS.noun)}`;
  let s = `${np()} ${pick(WORDS.verb)} ${np()}`;
  if (rng.uniform() < 0.5) s += ` ${pick(WORDS.prep)} ${np()}`;
  if (rng.uniform() < 0.4) s += ` ${pick(WORDS.adv)}`;
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

function writeCorpus(file: string, seed: number, n: number): void {
  const rng = new Rng(seed);
  fs.writeFileSync(file, Array.from({ length: n }, () => JSON.stringify({ text: sentence(rng) })).join('\n'));
}

/** Trains the test model unless the cache has it; returns its folder. */
async function trainedModel(dir: string): Promise<string> {
  const out = path.join(dir, 'trained');
  if (fs.existsSync(path.join(out, 'model.safetensors'))) return out;
  fs.mkdirSync(dir, { recursive: true });
  await writeTinyModel(path.join(dir, 'init'), { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 128, intermediateSize: 352, numLayers: 2, numHeads: 4, numKvHeads: 4, std: 0.05, seed: 7 });
  await writeTinyTokenizer(path.join(dir, 'init'));
  writeCorpus(path.join(dir, 'train.jsonl'), 101, 4000);
  const spec = RunSpecSchema.parse({
    model: 'init', dataset: { path: 'train.jsonl', validationSplit: 0 }, template: TEMPLATE, sequence: SEQUENCE,
    method: { method: 'full' }, training: { maxSteps: STEPS, batchSize: 8, learningRate: 3e-3, schedule: 'cosine', warmupSteps: 20, seed: 1 },
    output: 'trained', backend: 'wasm',
  });
  await runTraining(spec, { specDir: dir, onEvent: (e) => {
    if (e.type === 'step' && e.step % 50 === 0) process.stderr.write(`bench: perplexity model, step ${e.step}/${STEPS}, loss ${e.loss.toFixed(3)}\n`);
  } });
  await writeTinyTokenizer(out);
  return out;
}

export const PPL_BASES: BaseSpecInput[] = [
  { bits: 32 }, { bits: 16, halfType: 'bf16' }, { bits: 16, halfType: 'fp16' }, { bits: 8, int8Threshold: 6 }, { bits: 8, int8Threshold: 0 },
  { bits: 4, quantType: 'nf4', doubleQuant: true }, { bits: 4, quantType: 'nf4', doubleQuant: false }, { bits: 4, quantType: 'fp4', doubleQuant: false },
];

async function main(): Promise<void> {
  await useBackend('wasm');
  const dir = path.join(os.tmpdir(), `peft-lab-bench-ppl-${RECIPE}`);
  const modelDir = await trainedModel(dir);
  const heldOutFile = path.join(dir, 'heldout.jsonl');
  writeCorpus(heldOutFile, 202, 400);
  const tok = await TextTokenizer.fromDir(modelDir);
  const records = fs.readFileSync(heldOutFile, 'utf8').split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  const { examples } = tokenizeExamples(tok, records.map((r) => renderExample(TEMPLATE, r, tok)), { ...SEQUENCE, packing: false, addEos: true });
  const rows: PerplexityRow[] = [];
  let tokens = 0;
  for (const b of PPL_BASES) {
    const base = BaseSpecSchema.parse(b);
    const model = await loadModel(modelDir, { base });
    const r = await evaluateLoss(model, examples, { batchSize: 16, maxLength: SEQUENCE.maxLength, packing: false, padId: padIdFor(tok), shuffle: false });
    rows.push({ base: describeBase(resolveBaseOptions(base)), bitsPerWeight: measureBaseWeights(model).bitsPerWeight, loss: r.loss, perplexity: r.perplexity });
    tokens = r.tokens;
    model.dispose();
  }
  const result: PerplexityResult = {
    model: 'LLaMA-style, hidden 128, 2 layers, 4 heads, intermediate 352, byte-level vocab 267 (401,408 decoder linear weights)',
    training: `full fine-tuning from random init, ${STEPS} steps × 8 packed rows of 128 tokens on 4,000 toy-grammar sentences`,
    heldOut: { sentences: records.length, tokens },
    rows,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
