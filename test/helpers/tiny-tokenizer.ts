// A tiny but real byte-level BPE tokenizer (the GPT-2 / LLaMA-3 scheme) written as tokenizer.json +
// tokenizer_config.json, for tests that need a tokenizer without shipping a model.
//
// How tokenizer.json is built (the same structure HF `tokenizers` serialises):
//  - ids 0..2 are the special tokens <unk>, <s>, </s> (in the vocab and in `added_tokens` with special: true);
//  - ids 3..258 are the 256 byte tokens: byte b has id 3 + b and the token string bytesToUnicode(b), the printable
//    stand-in GPT-2's `bytes_to_unicode` uses (printable Latin-1 bytes map to themselves, the other 68 bytes to
//    U+0100.. in byte order, so the space 0x20 is "Ġ" U+0120 and the newline 0x0A is "Ċ" U+010A);
//  - ids 259.. are the results of TINY_MERGES in order (merge i has rank i and creates id 259 + i);
//  - pre-tokenizer and decoder are ByteLevel (add_prefix_space false), so every UTF-8 text round-trips;
//  - the post-processor is TemplateProcessing "<s> $A" (BOS added when special tokens are requested), as LLaMA's.
// tokenizer_config.json names bos "<s>", eos "</s>", pad "<unk>", turns clean_up_tokenization_spaces off and, with
// { chatTemplate: true }, carries TINY_CHAT_TEMPLATE.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const TINY_UNK_ID = 0;
export const TINY_BOS_ID = 1;
export const TINY_EOS_ID = 2;
export const TINY_PAD_ID = TINY_UNK_ID;
/** Id of the token for byte `b` (0..255). */
export const byteId = (b: number): number => 3 + b;

/** [left, right] pairs; ranks in this order. Results: Ġt=259, he=260, Ġthe=261, in=262, Ġa=263, er=264, on=265, Ġw=266. */
export const TINY_MERGES: ReadonlyArray<readonly [string, string]> = [
  ['Ġ', 't'],
  ['h', 'e'],
  ['Ġt', 'he'],
  ['i', 'n'],
  ['Ġ', 'a'],
  ['e', 'r'],
  ['o', 'n'],
  ['Ġ', 'w'],
];
export const TINY_MERGE_BASE_ID = 259;
export const TINY_VOCAB_SIZE = 3 + 256 + TINY_MERGES.length; // 267

/**
 * Renders `<s>` then per message "<|role|>\n" + content + "</s>\n", then "<|assistant|>\n" when a generation
 * prompt is asked for.
 */
export const TINY_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

/** GPT-2's bytes_to_unicode: byte → printable character. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  }
  return map;
}

function specialToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

export function tinyTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  bytesToUnicode().forEach((ch, b) => (vocab[ch] = byteId(b)));
  TINY_MERGES.forEach(([l, r], i) => (vocab[l + r] = TINY_MERGE_BASE_ID + i));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [specialToken(0, '<unk>'), specialToken(1, '<s>'), specialToken(2, '</s>')],
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
      merges: TINY_MERGES.map(([l, r]) => `${l} ${r}`),
    },
  };
}

export function tinyTokenizerConfig(opts: { chatTemplate?: boolean } = {}): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<s>',
    eos_token: '</s>',
    pad_token: '<unk>',
    unk_token: '<unk>',
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 2048,
    ...(opts.chatTemplate ? { chat_template: TINY_CHAT_TEMPLATE } : {}),
  };
}

/** Writes tokenizer.json and tokenizer_config.json into `dir` (created if needed). */
export async function writeTinyTokenizer(dir: string, opts: { chatTemplate?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(), null, 2));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tinyTokenizerConfig(opts), null, 2));
}
