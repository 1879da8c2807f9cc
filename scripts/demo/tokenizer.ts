// Step 2 of the demo pipeline: a byte-level BPE tokenizer trained on the pre-training text, written to
// resources/demo/model/tokenizer.json + tokenizer_config.json, then loaded back with @huggingface/tokenizers to
// check that it round-trips and to measure its compression. Run: npx tsx scripts/demo/tokenizer.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextTokenizer } from '../../src-main/engine/model/tokenizer';
import { countPieces, trainBpe } from './lib/bpe-train';
import { readJsonl } from './lib/jsonl';
import { MODEL_DIR, SPECIAL_TOKENS, VOCAB_SIZE, WORK_DIR } from './lib/settings';
import { tokenizerConfig, tokenizerJson } from './lib/tokenizer-json';

const MAX_LENGTH = 256;

const texts = readJsonl<{ text: string }>(path.join(WORK_DIR, 'pretrain.jsonl')).map((r) => r.text);
const t0 = performance.now();
const counts = countPieces(texts);
const bpe = trainBpe(counts, VOCAB_SIZE - SPECIAL_TOKENS.length - 256);
const seconds = (performance.now() - t0) / 1000;
fs.mkdirSync(MODEL_DIR, { recursive: true });
fs.writeFileSync(path.join(MODEL_DIR, 'tokenizer.json'), JSON.stringify(tokenizerJson(bpe), null, 2) + '\n');
fs.writeFileSync(path.join(MODEL_DIR, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(MAX_LENGTH), null, 2) + '\n');

const tok = await TextTokenizer.fromDir(MODEL_DIR);
const stats = (lines: string[]) => {
  let chars = 0, tokens = 0, failures = 0;
  for (const line of lines) {
    const ids = tok.encode(line, { addSpecialTokens: false });
    chars += line.length;
    tokens += ids.length;
    if (tok.decode(ids) !== line) failures++;
  }
  return { lines: lines.length, chars, tokens, charsPerToken: +(chars / tokens).toFixed(3), roundTripFailures: failures };
};
const heldOut = readJsonl<{ text: string }>(path.join(WORK_DIR, 'pretrain-heldout.jsonl')).map((r) => r.text);
const report = {
  vocabSize: tok.vocabSize, merges: bpe.merges.length, pieces: counts.size, trainSeconds: +seconds.toFixed(1),
  pretraining: stats(texts), heldOut: stats(heldOut),
  sample: tok.encode('lucid (adjective): transparently clear', { addSpecialTokens: false }).map((id) => tok.idToToken(id)),
};
fs.writeFileSync(path.join(WORK_DIR, 'tokenizer-stats.json'), JSON.stringify(report, null, 2) + '\n');
console.log(JSON.stringify(report, null, 2));
