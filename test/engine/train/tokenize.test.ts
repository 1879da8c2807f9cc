import { describe, expect, it } from 'vitest';
import { encodeContinuation, tokenizeExample, tokenizeExamples } from '../../../src-main/engine/train/tokenize';
import { TextTokenizer } from '../../../src-main/engine/model/tokenizer';
import type { SequenceSpec } from '../../../src-shared/domain/data';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../../helpers/tiny-tokenizer';

const tok = TextTokenizer.fromJson(tinyTokenizerJson(), tinyTokenizerConfig());
const seq = (over: Partial<SequenceSpec> = {}): SequenceSpec => ({ maxLength: 16, packing: false, lossOn: 'response', addEos: true, ...over });
const X = -100;

// Hand-derived ids (see test/helpers/tiny-tokenizer.ts): BOS 1, EOS 2, byte b → 3 + b,
// "H" 75, "i" 108, " the" → 261, "S" 86, "a" 100, "y" 124, " " 35, "t" 119, "he" 260, "\n" 13.
describe('tokenizeExample', () => {
  it('BOS + prompt + response + EOS, prompt masked', () => {
    expect(tokenizeExample(tok, { prompt: 'Hi', response: ' the' }, seq())).toEqual({
      inputIds: [1, 75, 108, 261, 2],
      labels: [X, X, X, 261, 2],
      truncated: false,
      numTargets: 2,
    });
  });

  it("lossOn 'all' keeps every label; addEos false leaves EOS out", () => {
    const all = tokenizeExample(tok, { prompt: 'Hi', response: ' the' }, seq({ lossOn: 'all' }));
    expect(all.labels).toEqual([1, 75, 108, 261, 2]);
    expect(all.numTargets).toBe(4); // position 0 is never a target after the shift
    const noEos = tokenizeExample(tok, { prompt: 'Hi', response: ' the' }, seq({ addEos: false }));
    expect(noEos.inputIds).toEqual([1, 75, 108, 261]);
    expect(noEos.labels).toEqual([X, X, X, 261]);
  });

  it('tokenises prompt and response separately, so the boundary is exact', () => {
    // Jointly, "Say the" would end in " the" = 261; separately the prompt ends in "Ġ" (35) and the response is t, he.
    const r = tokenizeExample(tok, { prompt: 'Say ', response: 'the' }, seq());
    expect(r.inputIds).toEqual([1, 86, 100, 124, 35, 119, 260, 2]);
    expect(r.labels).toEqual([X, X, X, X, X, 119, 260, 2]);
  });

  it('truncates the end of the response (and the EOS) first', () => {
    const r = tokenizeExample(tok, { prompt: 'Hi', response: ' the' }, seq({ maxLength: 4 }));
    expect(r).toEqual({ inputIds: [1, 75, 108, 261], labels: [X, X, X, 261], truncated: true, numTargets: 1 });
    const none = tokenizeExample(tok, { prompt: 'Hi', response: ' the' }, seq({ maxLength: 3 }));
    expect(none).toEqual({ inputIds: [1, 75, 108], labels: [X, X, X], truncated: true, numTargets: 0 });
  });

  it('does not add a second BOS when the prompt text starts with it (chat templates)', () => {
    const r = tokenizeExample(tok, { prompt: '<s>Hi', response: ' the' }, seq());
    expect(r.inputIds).toEqual([1, 75, 108, 261, 2]);
  });

  it('adds no BOS for a tokenizer without one', () => {
    const bare = TextTokenizer.fromJson(tinyTokenizerJson(), { eos_token: '</s>' });
    expect(tokenizeExample(bare, { prompt: 'Hi', response: ' the' }, seq()).inputIds).toEqual([75, 108, 261, 2]);
  });
});

describe('tokenizeExamples', () => {
  it('counts truncated examples and drops (and reports) those with no target', () => {
    const { examples, stats, dropped } = tokenizeExamples(
      tok,
      [
        { prompt: 'Hi', response: ' the' }, // 5 ids, fits
        { prompt: 'Hi', response: ' the the the' }, // 1 + 2 + 3 + 1 = 7 ids → cut to 5, two targets left
        { prompt: 'Hi there, how are you', response: ' the' }, // prompt alone exceeds 5 → no target
        { prompt: 'Hi', response: '' }, // only EOS is a target
      ],
      seq({ maxLength: 5 }),
    );
    expect(stats).toEqual({ total: 4, kept: 3, truncated: 2, droppedNoTarget: 1 });
    expect(dropped).toEqual([2]);
    expect(examples.map((e) => e.inputIds)).toEqual([
      [1, 75, 108, 261, 2],
      [1, 75, 108, 261, 261],
      [1, 75, 108, 2],
    ]);
    const noEos = tokenizeExamples(tok, [{ prompt: 'Hi', response: '' }], seq({ addEos: false }));
    expect(noEos.stats).toEqual({ total: 1, kept: 0, truncated: 0, droppedNoTarget: 1 });
  });
});

describe('encodeContinuation', () => {
  // A SentencePiece-style tokenizer (LLaMA-2 layout): the normalizer prepends "▁" to every encode call.
  const vocabList = ['<unk>', '<s>', '</s>', '▁', 'Q', ':', '\n', 'P', 'a', 'r', 'i', 's', 'Pa', 'Par', 'Pari', 'Paris', '▁Paris', '▁Q'];
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  const spJson = {
    added_tokens: [0, 1, 2].map((id) => ({ id, content: vocabList[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: { type: 'BPE', unk_token: '<unk>', fuse_unk: true, byte_fallback: false, vocab, merges: ['P a', 'Pa r', 'Par i', 'Pari s', '▁ Paris', '▁ Q'] },
  };
  const sp = TextTokenizer.fromJson(spJson, { bos_token: '<s>', eos_token: '</s>' });

  it('drops the "▁" a SentencePiece tokenizer prepends to a separately encoded response', () => {
    expect(sp.encode('Paris', { addSpecialTokens: false })).toEqual([vocab['▁Paris']]);
    expect(encodeContinuation(sp, 'Paris')).toEqual([vocab['Paris']]);
    const r = tokenizeExample(sp, { prompt: 'Q:\n', response: 'Paris' }, seq());
    // "Q:\n" → ▁Q : \n; the response continues without a space; EOS 2. No BOS: there is no post-processor.
    expect(r.inputIds).toEqual([vocab['▁Q'], vocab[':'], vocab['\n'], vocab['Paris'], 2]);
    expect(sp.decode(r.inputIds, { skipSpecialTokens: true })).toBe('Q:\nParis');
  });

  it('is the plain encoding for byte-level BPE', () => {
    for (const text of ['the', ' the', '\n\nx', 'é😀', ' ']) {
      expect(encodeContinuation(tok, text)).toEqual(tok.encode(text, { addSpecialTokens: false }));
    }
    expect(encodeContinuation(tok, '')).toEqual([]);
  });
});
