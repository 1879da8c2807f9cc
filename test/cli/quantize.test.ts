// `peft-lab quantize` and the --bits flags, as a person runs them (a real process per call): the written folder
// generates and scores exactly like quantising the original in memory with the same flags; train honours the
// run spec's base and reports its measured storage.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';
import { writeTinyModel } from '../helpers/tiny-model';

const BIN = path.resolve(__dirname, '../../bin/peft-lab.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-cli-q-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await writeTinyModel(path.join(root, 'tiny'), { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 5 });
  await writeTinyTokenizer(path.join(root, 'tiny'));
  fs.writeFileSync(path.join(root, 'data.jsonl'), [
    { instruction: 'Say hi.', output: 'hi' }, { instruction: 'Say bye.', output: 'bye' },
  ].map((r) => JSON.stringify(r)).join('\n'));
});

describe('peft-lab quantize', () => {
  it('writes a 4-bit NF4 folder whose output equals --bits 4 on the original', () => {
    const q = cli('quantize', '--model', 'tiny', '--bits', '4', '--quant-type', 'nf4', '--double-quant', '--blocksize', '64', '--out', 'tiny-nf4', '--json');
    expect(q.stderr).toBe('');
    const report = JSON.parse(q.stdout);
    expect(report).toMatchObject({ format: '4-bit nf4 + double quantisation, blocksize 64', quantizedModules: 14, copied: ['tokenizer.json', 'tokenizer_config.json'] });
    const gen = (...extra: string[]) => JSON.parse(cli('generate', '--prompt-ids', '1,40,41,42', '--max-new-tokens', '6', '--backend', 'wasm', '--json', ...extra).stdout);
    expect(gen('--model', 'tiny-nf4').ids).toEqual(gen('--model', 'tiny', '--bits', '4').ids);
    const ppl = (...extra: string[]) => JSON.parse(cli('perplexity', '--dataset', 'data.jsonl', '--backend', 'wasm', '--json', ...extra).stdout);
    const saved = ppl('--model', 'tiny-nf4');
    expect(saved.loss).toBe(ppl('--model', 'tiny', '--bits', '4', '--quant-type', 'nf4').loss);
    expect(saved.base).toBe('nf4 + double quantisation, blocksize 64');
  });
});

describe('peft-lab train with a base section', () => {
  it('trains LoRA on an 8-bit base and reports the measured bits per weight', () => {
    fs.writeFileSync(path.join(root, 'run8.json'), JSON.stringify({
      model: 'tiny', dataset: { path: 'data.jsonl', validationSplit: 0 }, template: { kind: 'alpaca' }, sequence: { maxLength: 256 },
      method: { method: 'lora', r: 4, loraAlpha: 8 }, base: { bits: 8 },
      training: { maxSteps: 3, batchSize: 2, learningRate: 1e-2 }, output: 'out8', backend: 'wasm',
    }));
    const r = cli('train', '--spec', 'run8.json');
    expect(r.stderr).not.toContain('error');
    const start = JSON.parse(r.stdout.split('\n')[0]);
    // Tiny model: 2 layers, H 32 (4 heads, 2 kv heads of 8), I 64: 18,432 linear weights in 512 rows → 8 + 32·512/18432.
    expect(start).toMatchObject({ type: 'start', baseFormat: 'int8 (LLM.int8, outlier threshold 6)' });
    expect(start.baseBitsPerWeight).toBeCloseTo(8 + (32 * 512) / 18432, 10);
  });
});
