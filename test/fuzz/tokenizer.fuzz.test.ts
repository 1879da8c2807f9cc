// Hostile tokenizer.json / tokenizer_config.json (issue 9): any JSON value, a real byte-level BPE tokenizer with
// its model, vocab, merges, added tokens or pipeline parts dropped or replaced, unknown model types, merges that
// name tokens the vocab lacks, and file text that is not JSON. Each is refused with TOKENIZER_INVALID naming the
// file, or loads into a tokenizer that encodes and decodes text without throwing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../src-main/engine/model/tokenizer';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../helpers/tiny-tokenizer';
import { hostileJson, mutatedObject, nestedArray } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily, fuzzTempDir } from './fuzz-kit';

const fuzz = fuzzFamily('tokenizer.json');
const dir = fuzzTempDir('tok');

const SOURCE = '/models/fuzz/tokenizer.json';
const RULE = { codes: ['TOKENIZER_INVALID'] as const, mentions: [SOURCE] };
const good = tinyTokenizerJson();
const goodModel = good.model as Record<string, unknown>;

/** Loading either fails clearly or gives a tokenizer that round-trips a little text without throwing. */
async function loadOrExplain(json: unknown, config: unknown = tinyTokenizerConfig()): Promise<void> {
  const tok = await acceptOrClear(() => TextTokenizer.fromJson(json, config, SOURCE), RULE);
  if (tok) {
    const ids = await acceptOrClear(() => tok.encode('the cat, é 😀\n', { addSpecialTokens: true }), RULE);
    if (ids) {
      expect(ids.every((id) => Number.isInteger(id) && id >= 0)).toBe(true);
      await acceptOrClear(() => tok.decode(ids), RULE);
    }
  }
}

describe('tokenizer.json: generated input', () => {
  it('any JSON value as tokenizer.json or as tokenizer_config.json', async () => {
    await fuzz.check(fc.asyncProperty(hostileJson, fc.boolean(), async (json, asConfig) => {
      await (asConfig ? loadOrExplain(good, json) : loadOrExplain(json));
      return true;
    }), 200);
  });

  it('the BPE model with its type, vocab, merges or options dropped or replaced', async () => {
    await fuzz.check(fc.asyncProperty(mutatedObject(goodModel, ['dropout', 'byte_fallback', 'ignore_merges']), async (model) => {
      await loadOrExplain({ ...good, model });
      return true;
    }), 150);
  });

  it('the pipeline (normalizer, pre_tokenizer, post_processor, decoder, added_tokens) replaced', async () => {
    await fuzz.check(fc.asyncProperty(mutatedObject(good), async (json) => {
      await loadOrExplain(json);
      return true;
    }), 150);
  });

  it('merges that name tokens the vocab lacks, vocab ids that repeat or are out of range', async () => {
    const vocab = goodModel.vocab as Record<string, number>;
    const token = fc.oneof(fc.constantFrom(...Object.keys(vocab).slice(0, 40)), fc.string({ maxLength: 3 }));
    const merges = fc.array(fc.oneof(fc.tuple(token, token), fc.tuple(token, token).map(([a, b]) => `${a} ${b}`)), { maxLength: 12 });
    const ids = fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer({ min: -5, max: 400 }), fc.constantFrom(2 ** 31, 1.5, 2 ** 53)), { maxKeys: 6 });
    await fuzz.check(fc.asyncProperty(merges, ids, async (m, extra) => {
      await loadOrExplain({ ...good, model: { ...goodModel, merges: m, vocab: { ...vocab, ...extra } } });
      return true;
    }), 150);
  });
});

describe('tokenizer.json: corpus', () => {
  fuzz.corpus([
    { name: 'no model', json: { ...good, model: undefined } },
    { name: 'model is a string', json: { ...good, model: 'BPE' } },
    { name: 'unknown model type', json: { ...good, model: { ...goodModel, type: 'SentencePieceMagic' } } },
    { name: 'model type nested 50,000 deep', json: { ...good, model: { ...goodModel, type: nestedArray(50_000) } } },
    { name: 'vocab is a list of numbers', json: { ...good, model: { ...goodModel, vocab: [1, 2, 3] } } },
    { name: 'merge of unknown tokens', json: { ...good, model: { ...goodModel, merges: [['Q', 'Z'], ['not-there', 'x']] } } },
    { name: 'merges is an object', json: { ...good, model: { ...goodModel, merges: { a: 'b' } } } },
    { name: 'added_tokens not a list', json: { ...good, added_tokens: { content: '<s>' } } },
    { name: 'added token with a negative id', json: { ...good, added_tokens: [{ id: -4, content: '<x>', special: true }] } },
    { name: 'unknown pre_tokenizer type', json: { ...good, pre_tokenizer: { type: 'Telepathy' } } },
    { name: 'unknown post_processor type', json: { ...good, post_processor: { type: 'Nope' } } },
    { name: 'unknown normalizer type', json: { ...good, normalizer: { type: 'Upside' } } },
  ], async (c) => {
    await loadOrExplain(c.json);
  });

  // Regressions: each of these loaded before tokenizer-json.ts checked the model section.
  const vocab = goodModel.vocab as Record<string, number>;
  fuzz.corpus([
    { name: 'a vocab id of 2^31 (was minutes and gigabytes building id tables)', json: { ...good, model: { ...goodModel, vocab: { ...vocab, w: 2 ** 31 } } }, says: 'vocab' },
    { name: 'a vocab id of 1.5', json: { ...good, model: { ...goodModel, vocab: { ...vocab, w: 1.5 } } }, says: 'vocab' },
    { name: 'vocab a number and no type (was loaded, encoded to undefined ids)', json: { ...good, model: { ...goodModel, type: undefined, vocab: 43854 } }, says: 'model' },
    { name: 'unk_token nested 11,000 lists deep (was a RangeError)', json: { ...good, model: { ...goodModel, unk_token: nestedArray(11_000) } }, says: 'unk_token' },
    { name: 'merge of a token not in the vocab', json: { ...good, model: { ...goodModel, merges: ['Ġ t', 'Q@ Z'] } }, says: 'merges[1]' },
    { name: 'added token id -4', json: { ...good, added_tokens: [{ id: -4, content: '<x>', special: true }] }, says: 'added_tokens' },
  ], async (c) => {
    await expectRefused(() => TextTokenizer.fromJson(c.json, tinyTokenizerConfig(), SOURCE), { ...RULE, mentions: [SOURCE, c.says] });
  });

  const texts = [
    { name: 'empty file', text: '' },
    { name: 'truncated JSON', text: JSON.stringify(good).slice(0, 500) },
    { name: 'UTF-16 LE text', text: '\ufffe{"model": {}}' },
    { name: 'a JSON list', text: '[]' },
    { name: 'null', text: 'null' },
  ];
  fuzz.corpus(texts, async (c) => {
    const d = path.join(dir, c.name.replace(/\W+/g, '-'));
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'tokenizer.json'), c.text);
    await expectRefused(() => TextTokenizer.fromDir(d), { codes: ['TOKENIZER_INVALID'], mentions: [path.join(d, 'tokenizer.json')] });
  });

  it('a tokenizer_config.json that is not an object is named', async () => {
    const d = path.join(dir, 'bad-config');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'tokenizer.json'), JSON.stringify(good));
    fs.writeFileSync(path.join(d, 'tokenizer_config.json'), '["<s>"]');
    await expectRefused(() => TextTokenizer.fromDir(d), { codes: ['TOKENIZER_INVALID'], mentions: [path.join(d, 'tokenizer_config.json')] });
    fuzz.count(1);
  });
});
