// The committed demo tokenizer (resources/demo/model): the tokenizer.json structure of the hand-built tiny
// tokenizer, a known encoding read off its merges, and lossless round trips through @huggingface/tokenizers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../src-main/engine/model/tokenizer';
import { byteId, tinyTokenizerConfig, tinyTokenizerJson } from '../helpers/tiny-tokenizer';

const dir = path.resolve(__dirname, '../../resources/demo/model');
const json = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
const tiny = tinyTokenizerJson() as Record<string, any>;
const tok = await TextTokenizer.fromDir(dir);

describe('demo tokenizer.json', () => {
  it('has the structure of the tiny hand-built tokenizer', () => {
    expect(Object.keys(json).sort()).toEqual(Object.keys(tiny).sort());
    for (const k of ['version', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) expect(json[k]).toEqual(tiny[k]);
    const { vocab, merges, ...model } = json.model;
    const { vocab: _v, merges: _m, ...tinyModel } = tiny.model;
    expect(model).toEqual(tinyModel);
    // specials 0..2 and the 256 bytes at 3 + b, exactly as the tiny tokenizer lays them out
    for (const [token, id] of Object.entries(tiny.model.vocab as Record<string, number>)) if (id < 259) expect(vocab[token]).toBe(id);
    expect(Object.keys(vocab)).toHaveLength(2048);
    expect(new Set(Object.values(vocab)).size).toBe(2048);
    for (const m of merges as string[]) {
      const [l, r] = m.split(' ');
      expect(vocab[l] !== undefined && vocab[r] !== undefined && vocab[l + r] !== undefined).toBe(true);
    }
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
    expect(Object.keys(config).sort()).toEqual(Object.keys(tinyTokenizerConfig()).sort());
  });

  it('encodes " of the noun" as the merges say', () => {
    // Merge ranks in tokenizer.json (lower applies first):
    //  " of":   Ġ o f → (Ġ,o) rank 3 → Ġo f → (Ġo,f) rank 15 → Ġof (id 274)
    //  " the":  Ġ t h e → (Ġ,t) 2 → Ġt h e → (h,e) 8 beats (Ġt,h) 62 → Ġt he → (Ġt,he) 16 → Ġthe (275)
    //  " noun": Ġ n o u n → (o,u) 6 → Ġ n ou n → (ou,n) 10 → Ġ n oun → (n,oun) 14 → Ġ noun; no merge "Ġ noun",
    //           so Ġ (the space byte 0x20, id 3 + 32 = 35) and noun (273)
    expect(tok.encode(' of the noun', { addSpecialTokens: false })).toEqual([274, 275, byteId(0x20), 273]);
    expect(tok.encode(' of the noun')).toEqual([1, 274, 275, 35, 273]); // <s> first, as LLaMA's post-processor
    expect([274, 275, 273].map((id) => tok.idToToken(id))).toEqual(['Ġof', 'Ġthe', 'noun']);
  });

  it('round-trips text, including characters it never saw', () => {
    expect(tok.vocabSize).toBe(2048);
    expect([tok.bosId, tok.eosId, tok.unkId]).toEqual([1, 2, 0]);
    for (const text of ['lucid (adjective): transparently clear; easily understandable', 'naïve café — 東京 🙂\n\ttabs  and  spaces ', '### Response:\n']) {
      expect(tok.decode(tok.encode(text, { addSpecialTokens: false }))).toBe(text);
    }
    expect(tok.decode(tok.encode('a word'), { skipSpecialTokens: true })).toBe('a word');
  });
});
