// Prompt text → ids exactly as training tokenizes the prompt part (tokenize.ts): BOS when the tokenizer adds
// one, then the prompt without special tokens. Generation from a trained adapter must see the same ids.
import type { TextTokenizer } from '../model/tokenizer';

export function encodePrompt(tok: Pick<TextTokenizer, 'encode' | 'addsBos' | 'bosId'>, text: string): number[] {
  const ids = tok.encode(text, { addSpecialTokens: false });
  return tok.addsBos && tok.bosId !== null && ids[0] !== tok.bosId ? [tok.bosId, ...ids] : ids;
}
