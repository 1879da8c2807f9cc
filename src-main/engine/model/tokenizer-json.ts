// Structural checks of tokenizer.json's model section before @huggingface/tokenizers sees it. The library trusts
// its input: a vocab that is not a token → id map loads and encodes to garbage, and an id like 2^31 makes it build
// tables that size (minutes and gigabytes). The rules follow HF tokenizers' serde forms (models/{bpe,wordpiece,
// wordlevel,unigram}/serialization.rs): a vocab of non-negative integer ids, BPE merges as "a b" strings or [a, b]
// pairs whose parts are in the vocab (BPE's MergeTokenOutOfVocabulary), Unigram's vocab as [piece, score] pairs.
import { z } from 'zod';
import { PeftLabError } from '../../../src-shared/errors';
import { formatIssues } from '../../../src-shared/domain/validate';
import { previewValue } from '../../../src-shared/preview';

/** Ids at or above this are a damaged file, not a vocabulary (the largest real ones are a few hundred thousand). */
export const MAX_TOKEN_ID = 10_000_000;

const tokenId = z.number().int().min(0).max(MAX_TOKEN_ID - 1);
const idVocab = z.record(z.string(), tokenId);
const merge = z.union([z.string().regex(/^[^ ]+ [^ ]+$/, 'a merge is "left right" (two tokens, one space)'), z.tuple([z.string(), z.string()])]);

const optString = z.string().nullish();
const optFlag = z.boolean().nullish();

const ModelSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('BPE'), vocab: idVocab, merges: z.array(merge), dropout: z.number().min(0).max(1).nullish(), unk_token: optString,
    continuing_subword_prefix: optString, end_of_word_suffix: optString, fuse_unk: optFlag, byte_fallback: optFlag, ignore_merges: optFlag,
  }),
  z.looseObject({
    type: z.literal('WordPiece'), vocab: idVocab, unk_token: optString, continuing_subword_prefix: optString,
    max_input_chars_per_word: z.number().int().positive().nullish(),
  }),
  z.looseObject({ type: z.literal('WordLevel'), vocab: idVocab, unk_token: optString }),
  z.looseObject({
    type: z.literal('Unigram'), vocab: z.array(z.tuple([z.string(), z.number()])).max(MAX_TOKEN_ID), unk_id: tokenId.nullish(), byte_fallback: optFlag,
  }),
]);

const AddedTokensSchema = z.array(z.looseObject({ id: tokenId, content: z.string() }));

const FIX = 'Fix: use the tokenizer.json of the model repository (written by HF tokenizers).';

function invalid(source: string, problem: string): PeftLabError {
  return new PeftLabError('TOKENIZER_INVALID', `${source}: could not be loaded (${problem}). ${FIX}`, { source });
}

/** Throws TOKENIZER_INVALID naming `source` and the field when `json.model` / `json.added_tokens` is malformed. */
export function checkTokenizerJson(json: Record<string, unknown>, source: string): void {
  const model = json.model as Record<string, unknown>;
  if (model.type === undefined && model.vocab !== undefined && json.model !== null) {
    // Old files leave out the tag: the library then guesses BPE when merges are present.
    if (Array.isArray(model.merges)) return checkTokenizerJson({ ...json, model: { ...model, type: 'BPE' } }, source);
  }
  const parsed = ModelSchema.safeParse(model);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what = issue.path.length === 1 && issue.path[0] === 'type'
      ? 'model.type must be one of BPE, WordPiece, WordLevel, Unigram'
      : issuesText(parsed.error, 'model');
    throw invalid(source, what);
  }
  if (json.added_tokens !== undefined && json.added_tokens !== null) {
    const added = AddedTokensSchema.safeParse(json.added_tokens);
    if (!added.success) {
      throw invalid(source, issuesText(added.error, 'added_tokens'));
    }
  }
  const m = parsed.data;
  if (m.type === 'BPE') checkMerges(m.vocab, m.merges, source);
}

/** The first three problems, one line: "model: vocab.x: Invalid input; …". */
function issuesText(error: z.ZodError, where: string): string {
  return formatIssues(new z.ZodError(error.issues.slice(0, 3)), where).replace(/\n/g, '; ').slice(0, 600);
}

function checkMerges(vocab: Record<string, number>, merges: (string | [string, string])[], source: string): void {
  const has = (t: string) => Object.prototype.hasOwnProperty.call(vocab, t);
  merges.forEach((mg, i) => {
    const [left, right] = typeof mg === 'string' ? mg.split(' ') : mg;
    const missing = [left, right].find((t) => !has(t));
    if (missing !== undefined) {
      throw invalid(source, `model.merges[${i}] (${previewValue(`${left} ${right}`, 60)}) uses the token ` +
        `${previewValue(missing, 40)}, which is not in model.vocab`);
    }
  });
}
