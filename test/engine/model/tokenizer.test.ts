import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { IncrementalDecoder, TextTokenizer } from '../../../src-main/engine/model/tokenizer';
import { isPeftLabError } from '../../../src-shared/errors';
import {
  TINY_VOCAB_SIZE,
  byteId,
  tinyTokenizerConfig,
  tinyTokenizerJson,
  writeTinyTokenizer,
} from '../../helpers/tiny-tokenizer';

let dir: string;
let tok: TextTokenizer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peft-tok-'));
  await writeTinyTokenizer(join(dir, 'chat'), { chatTemplate: true });
  await writeTinyTokenizer(join(dir, 'plain'));
  tok = await TextTokenizer.fromDir(join(dir, 'chat'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectError(p: Promise<unknown> | (() => unknown), code: string, ...parts: string[]) {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(isPeftLabError(err), `expected a PeftLabError, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  for (const part of parts) expect((err as Error).message).toContain(part);
}

describe('TextTokenizer: loading and special tokens', () => {
  it('reads vocab size and special ids from tokenizer.json + tokenizer_config.json', () => {
    expect(tok.vocabSize).toBe(TINY_VOCAB_SIZE);
    expect(TINY_VOCAB_SIZE).toBe(267);
    expect(tok.bosId).toBe(1);
    expect(tok.eosId).toBe(2);
    expect(tok.padId).toBe(0);
    expect(tok.addsBos).toBe(true);
    expect(tok.hasChatTemplate).toBe(true);
    expect(tok.tokenToId('<s>')).toBe(1);
    expect(tok.tokenToId('Ġthe')).toBe(261);
    expect(tok.tokenToId('no-such-token')).toBeNull();
  });

  it('accepts AddedToken objects as special tokens and a missing config', () => {
    const cfg = { ...tinyTokenizerConfig(), bos_token: { __type: 'AddedToken', content: '<s>' }, eos_token: { content: '</s>' } };
    const t = TextTokenizer.fromJson(tinyTokenizerJson(), cfg);
    expect([t.bosId, t.eosId]).toEqual([1, 2]);
    const bare = TextTokenizer.fromJson(tinyTokenizerJson());
    expect([bare.bosId, bare.eosId, bare.padId, bare.addsBos, bare.hasChatTemplate]).toEqual([null, null, null, false, false]);
  });

  it('missing folder / tokenizer.json → FILE_NOT_FOUND naming the path', async () => {
    await expectError(TextTokenizer.fromDir(join(dir, 'nope')), 'FILE_NOT_FOUND', join(dir, 'nope', 'tokenizer.json'));
  });

  it('corrupt files → TOKENIZER_INVALID naming the file', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'tokenizer.json'), '{"model": {"type": "BPE", "vo');
    await expectError(TextTokenizer.fromDir(bad), 'TOKENIZER_INVALID', join(bad, 'tokenizer.json'), 'not valid JSON');

    await writeFile(join(bad, 'tokenizer.json'), JSON.stringify({ version: '1.0' }));
    await expectError(TextTokenizer.fromDir(bad), 'TOKENIZER_INVALID', 'no "model"');

    await writeFile(join(bad, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson()));
    await writeFile(join(bad, 'tokenizer_config.json'), '{ nope');
    await expectError(TextTokenizer.fromDir(bad), 'TOKENIZER_INVALID', join(bad, 'tokenizer_config.json'));

    const weird = { ...tinyTokenizerJson(), model: { type: 'Nonsense' } };
    await expectError(() => TextTokenizer.fromJson(weird, {}), 'TOKENIZER_INVALID', 'could not be loaded');
  });
});

describe('TextTokenizer: encode/decode', () => {
  it('encodes with hand-derived ids (byte b → 3 + b, merges from 259)', () => {
    // "H" = 0x48 = 72 → 75, "i" = 0x69 = 105 → 108, BOS = 1 from the TemplateProcessing post-processor.
    expect(tok.encode('Hi')).toEqual([1, 75, 108]);
    expect(tok.encode('Hi', { addSpecialTokens: false })).toEqual([75, 108]);
    // " the" is one pre-token Ġ t h e → (Ġ t) → (h e) → (Ġt he) = 261.
    expect(tok.encode(' the', { addSpecialTokens: false })).toEqual([261]);
    // "the" has no leading space: t (0x74 → 119), he (260). " winter": Ġw 266, in 262, t 119, er 264.
    expect(tok.encode('the winter', { addSpecialTokens: false })).toEqual([119, 260, 266, 262, 119, 264]);
    // "é" = C3 A9 → 198, 172.
    expect(tok.encode('é', { addSpecialTokens: false })).toEqual([byteId(0xc3), byteId(0xa9)]);
    expect(tok.encode('', { addSpecialTokens: false })).toEqual([]);
  });

  it('decodes, with and without special tokens', () => {
    expect(tok.decode([1, 75, 108])).toBe('<s>Hi');
    expect(tok.decode([1, 75, 108, 2], { skipSpecialTokens: true })).toBe('Hi');
    expect(tok.decode([])).toBe('');
  });

  it('round-trips ASCII and UTF-8 text', () => {
    const samples = [
      Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''),
      'tabs\tand\nnewlines\r\n  double  spaces  ',
      'héllo wörld — 日本語のテキスト 😀 🇫🇷 ﬁ',
      "don't , stop . ?",
    ];
    const rng = seedrandom('round-trip');
    for (let n = 0; n < 50; n++) {
      let s = '';
      for (let i = 0; i < 40; i++) {
        let cp = Math.floor(rng() * 0x1ffff);
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
        s += String.fromCodePoint(cp);
      }
      samples.push(s);
    }
    for (const s of samples) {
      expect(tok.decode(tok.encode(s, { addSpecialTokens: false }))).toBe(s);
      expect(tok.decode(tok.encode(s), { skipSpecialTokens: true })).toBe(s);
    }
  });
});

describe('TextTokenizer: chat template', () => {
  it('renders the chat template with bos/eos and the generation prompt', () => {
    const text = tok.applyChatTemplate(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      { addGenerationPrompt: true },
    );
    expect(text).toBe('<s><|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\n');
    expect(tok.applyChatTemplate([{ role: 'user', content: 'Hi' }])).toBe('<s><|user|>\nHi</s>\n');
  });

  it('picks the "default" template from a list, and fails clearly without one', async () => {
    const cfg = { ...tinyTokenizerConfig(), chat_template: [{ name: 'tool_use', template: 'X' }, { name: 'default', template: '{{ messages[0].content }}!' }] };
    expect(TextTokenizer.fromJson(tinyTokenizerJson(), cfg).applyChatTemplate([{ role: 'user', content: 'yo' }])).toBe('yo!');
    const plain = await TextTokenizer.fromDir(join(dir, 'plain'));
    expect(plain.hasChatTemplate).toBe(false);
    await expectError(() => plain.applyChatTemplate([{ role: 'user', content: 'x' }]), 'TEMPLATE_INVALID', 'no chat template');
  });

  it('turns raise_exception in a template into TEMPLATE_INVALID', async () => {
    const cfg = { ...tinyTokenizerConfig(), chat_template: "{{ raise_exception('Roles must alternate') }}" };
    const t = TextTokenizer.fromJson(tinyTokenizerJson(), cfg);
    await expectError(() => t.applyChatTemplate([{ role: 'user', content: 'x' }]), 'TEMPLATE_INVALID', 'Roles must alternate');
  });
});

describe('IncrementalDecoder', () => {
  it('holds back partial UTF-8 characters until they are complete', () => {
    // "a é 😀 b" as single byte tokens: a=0x61, é=C3 A9, 😀=F0 9F 98 80, b=0x62.
    const ids = [0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x62].map(byteId);
    const dec = new IncrementalDecoder(tok);
    const deltas = ids.map((_, i) => dec.next(ids.slice(0, i + 1)));
    expect(deltas).toEqual(['a', '', 'é', '', '', '', '😀', 'b']);
    expect(dec.flush(ids)).toBe('');
  });

  it('concatenated deltas equal the full decode, for merged tokens too', () => {
    const text = 'the winter in Åland 🌨 is long';
    const ids = tok.encode(text, { addSpecialTokens: false });
    const dec = new IncrementalDecoder(tok);
    let out = '';
    for (let i = 1; i <= ids.length; i++) out += dec.next(ids.slice(0, i));
    out += dec.flush(ids);
    expect(out).toBe(text);
  });

  it('flush emits an incomplete tail; special tokens can be skipped', () => {
    const dec = new IncrementalDecoder(tok);
    const ids = [byteId(0x61), byteId(0xc3)];
    expect(dec.next(ids.slice(0, 1))).toBe('a');
    expect(dec.next(ids)).toBe('');
    expect(dec.flush(ids)).toBe('\uFFFD');

    const skip = new IncrementalDecoder(tok, { skipSpecialTokens: true });
    expect(skip.next([byteId(0x61)])).toBe('a');
    expect(skip.next([byteId(0x61), 2])).toBe('');
    expect(skip.next([byteId(0x61), 2, byteId(0x62)])).toBe('b');
  });
});
