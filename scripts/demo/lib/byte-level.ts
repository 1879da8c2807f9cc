// GPT-2's byte-level scheme, as Hugging Face tokenizers' ByteLevel pre-tokenizer applies it (add_prefix_space
// false, use_regex true): split the text with GPT-2's pattern, then spell every piece's UTF-8 bytes with one
// printable character per byte (openai/gpt-2 encoder.py `bytes_to_unicode`: the printable Latin-1 bytes
// "!".."~", "¡".."¬", "®".."ÿ" stand for themselves, the other 68 bytes for U+0100.. in byte order, so the space
// 0x20 is "Ġ" and the newline 0x0A is "Ċ").

/** GPT-2's pre-tokenizer pattern (openai/gpt-2 encoder.py), the one ByteLevel uses. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** byte → its printable stand-in. */
export function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const map: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) map.push(printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++));
  return map;
}

const BYTE_CHARS = bytesToUnicode();
const encoder = new TextEncoder();

/** The pieces of a text, each spelt in byte-level characters. */
export function preTokenize(text: string): string[] {
  return [...text.matchAll(GPT2_PATTERN)].map((m) => byteLevel(m[0]));
}

export function byteLevel(piece: string): string {
  let out = '';
  for (const b of encoder.encode(piece)) out += BYTE_CHARS[b];
  return out;
}
