// A trained byte-level BPE written as Hugging Face's tokenizer.json + tokenizer_config.json, in the structure
// test/helpers/tiny-tokenizer.ts spells out (and HF tokenizers serialises):
//  - ids 0..2: the special tokens <unk>, <s>, </s> (in the vocab and in added_tokens with special: true);
//  - ids 3..258: the 256 byte symbols, byte b at id 3 + b;
//  - ids 259..: the tokens the merges made, in the order they were made; merges as "left right" strings by rank;
//  - ByteLevel pre-tokenizer and decoder (add_prefix_space false, use_regex true), no normalizer;
//  - post-processor TemplateProcessing "<s> $A" (BOS when special tokens are added), as LLaMA's.
import { bytesToUnicode } from './byte-level';
import type { BpeResult } from './bpe-train';
import { SPECIAL_TOKENS } from './settings';

function specialToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

export function tokenizerJson(bpe: BpeResult): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((t, i) => (vocab[t] = i));
  bytesToUnicode().forEach((ch, b) => (vocab[ch] = SPECIAL_TOKENS.length + b));
  const base = SPECIAL_TOKENS.length + 256;
  bpe.tokens.forEach((t, i) => (vocab[t] = base + i));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t, i) => specialToken(i, t)),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: bpe.merges.map(([l, r]) => `${l} ${r}`),
    },
  };
}

export function tokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<s>',
    eos_token: '</s>',
    pad_token: '<unk>',
    unk_token: '<unk>',
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
  };
}
