// Autoregressive generation with a KV cache: one prefill pass over the prompt, then one token per step.
// Stops at EOS, at a stop string (the text is cut before it), or after maxNewTokens; streams each token.
// Legend: P prompt tokens, H hidden, V vocab.
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import type { CausalLM } from '../model/causal-lm';
import { KVCache } from '../model/kv-cache';
import { Rng } from '../rng';
import type { SamplingOptions } from './sampling';
import { sampleToken } from './sampling';
import { StopStringStream } from './stopping';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  seed: number;
  stopStrings: string[];
  eosTokenIds: number[];
}

export const GREEDY: GenerateOptions = {
  greedy: true, temperature: 1, topK: 0, topP: 1, maxNewTokens: 64, seed: 0, stopStrings: [], eosTokenIds: [],
};

export interface TextDecoder {
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
}

export interface GenerateResult {
  /** Generated ids, prompt excluded (an EOS that ended generation included). */
  ids: number[];
  /** Decoded text without special tokens, cut before a stop string; null without a tokenizer. */
  text: string | null;
  stopReason: 'eos' | 'stop_string' | 'max_new_tokens';
  promptTokens: number;
  seconds: number;
  tokensPerSecond: number;
}

export interface StreamEvent {
  id: number;
  /** Printable text added by this token (may be '' while a multi-byte character is incomplete). */
  delta: string | null;
}

/** Logits of the last position after feeding `ids` (1·T tokens) through the model with the cache. */
async function stepLogits(model: CausalLM, ids: number[], cache: KVCache): Promise<Float32Array> {
  const logitsT = tf.tidy(() => {
    const h = model.hidden({ inputIds: Int32Array.from(ids), batchSize: 1, seqLen: ids.length, cache }); // (T, H)
    const last = h.slice([ids.length - 1, 0], [1, -1]) as tf.Tensor2D; // (1, H)
    return model.lmHead.forward(last, { training: false, seed: 0 }); // (1, V)
  });
  const data = (await logitsT.data()) as Float32Array;
  logitsT.dispose();
  return data;
}

export async function generate(
  model: CausalLM,
  promptIds: number[],
  opts: GenerateOptions,
  io: { tokenizer?: TextDecoder | null; onToken?: (e: StreamEvent) => void } = {},
): Promise<GenerateResult> {
  if (promptIds.length === 0) throw new PeftLabError('BAD_ARGUMENT', 'the prompt is empty; generation needs at least one token (e.g. BOS)');
  if (opts.stopStrings.length && !io.tokenizer) {
    throw new PeftLabError('BAD_ARGUMENT', 'stop strings need a tokenizer (tokenizer.json in the model folder)');
  }
  const tok = io.tokenizer ?? null;
  const rng = new Rng(opts.seed);
  const cache = new KVCache(model.config.numHiddenLayers, 1);
  const stream = new StopStringStream(opts.stopStrings);
  const ids: number[] = [];
  let stopReason: GenerateResult['stopReason'] = 'max_new_tokens';
  const start = performance.now();
  try {
    let logits = await stepLogits(model, promptIds, cache);
    for (;;) {
      const next = sampleToken(logits, opts, rng);
      ids.push(next);
      const isEos = opts.eosTokenIds.includes(next);
      let delta = tok && !isEos ? stream.update(decodeComplete(tok, ids)) : '';
      if (isEos) stopReason = 'eos';
      else if (stream.stopped) stopReason = 'stop_string';
      const done = isEos || stream.stopped || ids.length >= opts.maxNewTokens;
      if (done && tok) delta += stream.flush();
      io.onToken?.({ id: next, delta: tok ? delta : null });
      if (done) break;
      logits = await stepLogits(model, [next], cache);
    }
  } finally {
    cache.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    ids,
    text: tok ? stream.finalText : null,
    stopReason,
    promptTokens: promptIds.length,
    seconds,
    tokensPerSecond: ids.length / seconds,
  };
}

/** Decoded text of `ids` without a trailing incomplete UTF-8 sequence (byte-level BPE pieces). */
function decodeComplete(tok: TextDecoder, ids: number[]): string {
  const full = tok.decode(ids, { skipSpecialTokens: true });
  return full.replace(/\uFFFD+$/, '');
}
