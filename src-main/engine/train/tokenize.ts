// Prompt/response pairs → input ids and labels for supervised fine-tuning.
//   ids    = [BOS if the tokenizer adds one] + prompt ids + response ids + [EOS if addEos]
//   labels = ids, with -100 on BOS and prompt positions when lossOn = 'response' (HF semantics: the model shifts).
// Prompt and response are tokenised separately, so the prompt/response boundary is exact. The response is encoded
// as a continuation (after an anchor "\n" whose ids are then removed) so that SentencePiece-style tokenizers that
// prepend "▁" to every encode call do not invent a leading space; byte-level BPE gives the same ids either way.
// Truncation to maxLength keeps the start (prompt first) and cuts the end of the response (and the EOS).
import type { SequenceSpec } from '../../../src-shared/domain/data';
import type { TextTokenizer } from '../model/tokenizer';

export const IGNORE_INDEX = -100;

export type TokenizerLike = Pick<TextTokenizer, 'encode' | 'bosId' | 'eosId' | 'addsBos'>;

export interface PromptResponse {
  prompt: string;
  response: string;
}

export interface TokenizedExample {
  inputIds: number[];
  labels: number[];
  /** The example was longer than maxLength and was cut. */
  truncated: boolean;
  /** Positions that are a target after the shift (labels[t] != -100 for t ≥ 1). */
  numTargets: number;
}

export interface TokenizeStats {
  total: number;
  kept: number;
  truncated: number;
  /** Examples dropped because no target token was left (after truncation, or an empty response without EOS). */
  droppedNoTarget: number;
}

const ANCHOR = '\n';

function startsWith(ids: number[], prefix: number[]): boolean {
  return prefix.length <= ids.length && prefix.every((id, i) => ids[i] === id);
}

/** Ids of `text` as it would be tokenised after a preceding text (no special tokens). */
export function encodeContinuation(tok: Pick<TextTokenizer, 'encode'>, text: string): number[] {
  if (text === '') return [];
  const anchor = tok.encode(ANCHOR, { addSpecialTokens: false });
  const joined = tok.encode(ANCHOR + text, { addSpecialTokens: false });
  if (anchor.length > 0 && startsWith(joined, anchor)) return joined.slice(anchor.length);
  return tok.encode(text, { addSpecialTokens: false });
}

function countTargets(labels: number[]): number {
  let n = 0;
  for (let t = 1; t < labels.length; t++) if (labels[t] !== IGNORE_INDEX) n++;
  return n;
}

export function tokenizeExample(tok: TokenizerLike, example: PromptResponse, seq: SequenceSpec): TokenizedExample {
  const prompt = tok.encode(example.prompt, { addSpecialTokens: false });
  // A chat template may already start the prompt with BOS text; never add a second one.
  const head = tok.addsBos && tok.bosId !== null && prompt[0] !== tok.bosId ? [tok.bosId] : [];
  const response = encodeContinuation(tok, example.response);
  const tail = seq.addEos && tok.eosId !== null ? [tok.eosId] : [];
  const promptPart = [...head, ...prompt];
  const answerPart = [...response, ...tail];
  let inputIds = [...promptPart, ...answerPart];
  let labels = seq.lossOn === 'all' ? [...inputIds] : [...promptPart.map(() => IGNORE_INDEX), ...answerPart];
  const truncated = inputIds.length > seq.maxLength;
  if (truncated) {
    inputIds = inputIds.slice(0, seq.maxLength);
    labels = labels.slice(0, seq.maxLength);
  }
  return { inputIds, labels, truncated, numTargets: countTargets(labels) };
}

/** Tokenises every pair; examples with no target left are dropped and counted (their indices are returned). */
export function tokenizeExamples(
  tok: TokenizerLike,
  examples: readonly PromptResponse[],
  seq: SequenceSpec,
): { examples: TokenizedExample[]; stats: TokenizeStats; dropped: number[] } {
  const kept: TokenizedExample[] = [];
  const dropped: number[] = [];
  let truncated = 0;
  examples.forEach((example, i) => {
    const t = tokenizeExample(tok, example, seq);
    if (t.truncated) truncated++;
    if (t.numTargets === 0) dropped.push(i);
    else kept.push(t);
  });
  const stats = { total: examples.length, kept: kept.length, truncated, droppedNoTarget: dropped.length };
  return { examples: kept, stats, dropped };
}
