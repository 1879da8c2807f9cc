// A Hugging Face tokenizer (tokenizer.json + optional tokenizer_config.json) on top of @huggingface/tokenizers,
// with the chat template rendered by @huggingface/jinja the way transformers' `apply_chat_template` does
// (variables: messages, add_generation_prompt, bos_token, eos_token, pad_token, unk_token).
// The streaming decoder follows text-generation-inference's `decode_token` (prefix/read offsets; hold back text
// that ends in U+FFFD, i.e. a byte-level piece that is not yet a complete UTF-8 character).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { PeftLabError } from '../../../src-shared/errors';
import { checkTokenizerJson } from './tokenizer-json';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface EncodeOptions {
  /** Add the special tokens of the tokenizer's post-processor (e.g. LLaMA's BOS). Default true, as in HF. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /** Apply HF's `clean_up_tokenization_spaces` (" ." → "." ...). Default: the config's value (true if unset). */
  cleanUpTokenizationSpaces?: boolean;
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A special token in tokenizer_config.json is a string or an AddedToken object `{ content: "<s>", ... }`. */
function tokenContent(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return null;
}

/** `chat_template` is a string, or a list of `{ name, template }` (then the one named "default", else the first). */
function pickChatTemplate(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return null;
  const named = v.filter((t): t is { name: string; template: string } => isObject(t) && typeof t.template === 'string');
  return (named.find((t) => t.name === 'default') ?? named[0])?.template ?? null;
}

function invalid(source: string, message: string): PeftLabError {
  return new PeftLabError('TOKENIZER_INVALID', `${source}: ${message}`, { source });
}

async function readJsonFile(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!required) return undefined;
      throw new PeftLabError(
        'FILE_NOT_FOUND',
        `${path} not found. Fix: point the model path at a folder with the Hugging Face tokenizer.json ` +
          `(the "fast" tokenizer file; a SentencePiece tokenizer.model alone is not supported).`,
        { path },
      );
    }
    throw err;
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw invalid(path, `not valid JSON (${(err as Error).message}). Fix: re-download the file; it is probably truncated.`);
  }
}

export class TextTokenizer {
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly padId: number | null;
  readonly unkId: number | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  /** True when `encode(text)` (with special tokens) starts with the BOS id, as LLaMA's post-processor does. */
  readonly addsBos: boolean;
  private readonly chatTemplateText: string | null;
  private compiledChatTemplate: Template | null = null;

  private constructor(
    private readonly inner: Tokenizer,
    private readonly config: JsonObject,
    private readonly source: string,
  ) {
    let maxId = -1;
    for (const id of inner.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.bosToken = tokenContent(config.bos_token);
    this.eosToken = tokenContent(config.eos_token);
    this.bosId = this.idOf(this.bosToken);
    this.eosId = this.idOf(this.eosToken);
    this.padId = this.idOf(tokenContent(config.pad_token));
    this.unkId = this.idOf(tokenContent(config.unk_token));
    this.addsBos = this.bosId !== null && this.encode('', { addSpecialTokens: true })[0] === this.bosId;
    this.chatTemplateText = pickChatTemplate(config.chat_template);
  }

  /** Loads `dir/tokenizer.json` (required), `dir/tokenizer_config.json` and `dir/chat_template.jinja` (optional). */
  static async fromDir(dir: string): Promise<TextTokenizer> {
    const jsonPath = join(dir, 'tokenizer.json');
    const tokenizerJson = await readJsonFile(jsonPath, true);
    const configPath = join(dir, 'tokenizer_config.json');
    const config = await readJsonFile(configPath, false);
    if (config !== undefined && !isObject(config)) {
      throw invalid(configPath, 'must be a JSON object. Fix: re-download the file or delete it.');
    }
    const merged: JsonObject = { ...(config ?? {}) };
    if (merged.chat_template === undefined) {
      try {
        merged.chat_template = await readFile(join(dir, 'chat_template.jinja'), 'utf8');
      } catch {
        // no separate chat template file: fine
      }
    }
    return TextTokenizer.fromJson(tokenizerJson, merged, jsonPath);
  }

  /** Builds a tokenizer from the parsed contents of tokenizer.json and tokenizer_config.json. */
  static fromJson(tokenizerJson: unknown, tokenizerConfig?: unknown, source = 'tokenizer.json'): TextTokenizer {
    if (!isObject(tokenizerJson) || !isObject(tokenizerJson.model)) {
      throw invalid(source, 'not a Hugging Face tokenizer.json (no "model" object). Fix: use the tokenizer.json of the model repository.');
    }
    if (tokenizerConfig !== undefined && !isObject(tokenizerConfig)) {
      throw invalid(source, 'the tokenizer config must be a JSON object (the contents of tokenizer_config.json).');
    }
    checkTokenizerJson(tokenizerJson, source);
    // tokenizer.json written by older `tokenizers` versions may leave out null components.
    const json: JsonObject = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...tokenizerJson };
    const config = tokenizerConfig ?? {};
    try {
      return new TextTokenizer(new Tokenizer(json, config), config, source);
    } catch (err) {
      throw invalid(source, `could not be loaded (${(err as Error).message}). Fix: use a tokenizer.json written by HF tokenizers.`);
    }
  }

  get hasChatTemplate(): boolean {
    return this.chatTemplateText !== null;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    return this.inner.decode([...ids], {
      skip_special_tokens: opts.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: opts.cleanUpTokenizationSpaces ?? null,
    });
  }

  tokenToId(token: string): number | null {
    return this.inner.token_to_id(token) ?? null;
  }

  idToToken(id: number): string | null {
    return this.inner.id_to_token(id) ?? null;
  }

  /** Renders the tokenizer's chat template over `messages` (text, not ids; it may contain special-token text). */
  applyChatTemplate(messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    const template = this.chatTemplate();
    try {
      return template.render({
        messages,
        add_generation_prompt: opts.addGenerationPrompt ?? false,
        bos_token: this.bosToken ?? '',
        eos_token: this.eosToken ?? '',
        pad_token: tokenContent(this.config.pad_token) ?? '',
        unk_token: tokenContent(this.config.unk_token) ?? '',
      });
    } catch (err) {
      throw new PeftLabError(
        'TEMPLATE_INVALID',
        `${this.source}: the chat template failed on these messages (${(err as Error).message}). ` +
          `Fix: check the roles and their order the template expects (many allow only alternating user/assistant).`,
      );
    }
  }

  private chatTemplate(): Template {
    if (this.chatTemplateText === null) {
      throw new PeftLabError(
        'TEMPLATE_INVALID',
        `${this.source}: this tokenizer has no chat template (no "chat_template" in tokenizer_config.json). ` +
          `Fix: use template kind "alpaca", "dolly" or "custom", or a tokenizer of an instruction-tuned model.`,
      );
    }
    if (!this.compiledChatTemplate) {
      try {
        this.compiledChatTemplate = new Template(this.chatTemplateText);
      } catch (err) {
        throw invalid(this.source, `the chat_template does not parse (${(err as Error).message}).`);
      }
    }
    return this.compiledChatTemplate;
  }

  private idOf(token: string | null): number | null {
    return token === null ? null : this.tokenToId(token);
  }
}

/**
 * Turns the growing list of generated ids into printable text deltas. A byte-level BPE token can hold part of a
 * multi-byte character; such text decodes to U+FFFD and is held back until the character is complete.
 * Decoding restarts from the last emitted tokens (not from the first) so SentencePiece-style decoders that strip
 * a leading space keep the space between chunks. Space clean-up is off so that chunks never shift.
 */
export class IncrementalDecoder {
  private prefixOffset = 0;
  private readOffset = 0;

  constructor(
    private readonly tokenizer: Pick<TextTokenizer, 'decode'>,
    private readonly opts: { skipSpecialTokens?: boolean } = {},
  ) {}

  /** `ids`: every id generated so far (the same list, grown). Returns the new text, possibly ''. */
  next(ids: readonly number[]): string {
    this.checkGrowth(ids);
    const prefixText = this.text(ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.text(ids.slice(this.prefixOffset));
    if (newText.length > prefixText.length && !newText.endsWith('\uFFFD')) {
      this.prefixOffset = this.readOffset;
      this.readOffset = ids.length;
      return newText.slice(prefixText.length);
    }
    return '';
  }

  /** Emits whatever is held back (an incomplete character becomes U+FFFD). Call once when generation ends. */
  flush(ids: readonly number[]): string {
    this.checkGrowth(ids);
    const prefixText = this.text(ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.text(ids.slice(this.prefixOffset));
    this.prefixOffset = ids.length;
    this.readOffset = ids.length;
    return newText.length > prefixText.length ? newText.slice(prefixText.length) : '';
  }

  private text(ids: readonly number[]): string {
    return this.tokenizer.decode(ids, { skipSpecialTokens: this.opts.skipSpecialTokens, cleanUpTokenizationSpaces: false });
  }

  private checkGrowth(ids: readonly number[]): void {
    if (ids.length < this.readOffset) {
      throw new PeftLabError('BAD_ARGUMENT', `IncrementalDecoder: ids shrank from ${this.readOffset} to ${ids.length}; pass the whole list generated so far.`);
    }
  }
}
