// config.json of a Hugging Face decoder (peft-spec §7.1): LlamaConfig fields and defaults, plus the
// Mistral (sliding window) and Qwen2 (q/k/v bias, optional sliding window) variants.
// Refs: transformers models/{llama,mistral,qwen2}/configuration_*.py.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PeftLabError } from '../../../src-shared/errors';
import { ConfigFields, show } from './config-fields';
import { parseRopeScaling, parseRopeTheta } from './config-rope';
import type { RopeScaling } from './config-rope';

export type { RopeScaling, RopeType } from './config-rope';

export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;
export type SupportedModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

export interface ModelConfig {
  modelType: string;
  architectures: string[];
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  hiddenAct: string;
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: null | RopeScaling;
  tieWordEmbeddings: boolean;
  /** llama: bias on q,k,v,o when set. qwen2: always true, meaning q,k,v carry a bias (o_proj never does). */
  attentionBias: boolean;
  mlpBias: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  /** `torch_dtype` (v4) or `dtype` (v5): the checkpoint's storage dtype, e.g. "bfloat16". */
  torchDtype: string | null;
  /** Attention window in tokens (mistral; qwen2 with use_sliding_window), null for full attention. */
  slidingWindow: number | null;
  /** The parsed JSON as given. */
  raw: Record<string, unknown>;
}

interface FamilyDefaults {
  maxPositionEmbeddings: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
}

const FAMILY: Record<SupportedModelType, FamilyDefaults> = {
  llama: { maxPositionEmbeddings: 2048, bosTokenId: 1, eosTokenIds: [2] },
  mistral: { maxPositionEmbeddings: 4096 * 32, bosTokenId: 1, eosTokenIds: [2] },
  qwen2: { maxPositionEmbeddings: 32768, bosTokenId: null, eosTokenIds: [] },
};

const ARCH_TO_TYPE: Record<string, SupportedModelType> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
};

/** Limits past which a value is a typo or another kind of file, not a model we could ever load. */
const MAX = { vocab: 10_000_000, hidden: 1_000_000, intermediate: 10_000_000, layers: 10_000, heads: 10_000, positions: 1e9, headDim: 4096 };

/** Parses and validates a config.json object; `label` (the file path) is named in every error. */
export function parseModelConfig(json: unknown, label: string): ModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new PeftLabError('CONFIG_INVALID',
      `${label}: must hold a JSON object, got ${show(json)}. Use the config.json of a Hugging Face model.`, { file: label });
  }
  const f = new ConfigFields(json as Record<string, unknown>, label);
  const modelType = parseModelType(f);
  const family = FAMILY[modelType];
  const sizes = parseSizes(f);
  const attention = parseAttention(f, sizes.hiddenSize);
  return {
    modelType,
    architectures: f.stringList('architectures'),
    ...sizes,
    ...attention,
    hiddenAct: parseHiddenAct(f),
    maxPositionEmbeddings: f.int('max_position_embeddings', family.maxPositionEmbeddings, { max: MAX.positions }),
    rmsNormEps: f.positive('rms_norm_eps', 1e-6, 1),
    ropeTheta: parseRopeTheta(f),
    ropeScaling: parseRopeScaling(f),
    tieWordEmbeddings: f.bool('tie_word_embeddings', false),
    attentionBias: modelType === 'qwen2' ? true : modelType === 'llama' && f.bool('attention_bias', false),
    mlpBias: modelType === 'llama' && f.bool('mlp_bias', false),
    bosTokenId: f.tokenId('bos_token_id', family.bosTokenId),
    eosTokenIds: f.tokenIds('eos_token_id', family.eosTokenIds),
    padTokenId: f.tokenId('pad_token_id', null),
    torchDtype: f.has('torch_dtype') ? f.optString('torch_dtype') : f.optString('dtype'),
    slidingWindow: parseSlidingWindow(f, modelType),
    raw: f.raw,
  };
}

/** Reads `dir/config.json`. Missing → FILE_NOT_FOUND; bad JSON or values → CONFIG_INVALID. */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new PeftLabError('FILE_NOT_FOUND',
        `${path} does not exist. A model folder needs the config.json of a Hugging Face model.`, { file: path });
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PeftLabError('CONFIG_INVALID', `${path}: not valid JSON (${(e as Error).message}). Fix or re-download the file.`,
      { file: path });
  }
  return parseModelConfig(json, path);
}

function parseModelType(f: ConfigFields): SupportedModelType {
  const supported = SUPPORTED_MODEL_TYPES.join(', ');
  if (!f.has('model_type')) {
    const fromArch = f.stringList('architectures').map((a) => ARCH_TO_TYPE[a]).find((t) => t !== undefined);
    if (fromArch !== undefined) return fromArch;
    throw f.error('model_type', 'is missing', `Add "model_type" (supported: ${supported}).`);
  }
  const t = f.raw.model_type;
  if (typeof t !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(t)) {
    throw f.error('model_type', `is ${show(t)}, which PEFT Lab does not support`,
      `Supported model types: ${supported}. Use a model of one of these families.`);
  }
  return t as SupportedModelType;
}

function parseSizes(f: ConfigFields) {
  return {
    vocabSize: f.requiredInt('vocab_size', { max: MAX.vocab, meaning: 'the number of tokens' }),
    hiddenSize: f.requiredInt('hidden_size', { max: MAX.hidden, meaning: 'the model width' }),
    intermediateSize: f.requiredInt('intermediate_size', { max: MAX.intermediate, meaning: 'the MLP width' }),
    numHiddenLayers: f.requiredInt('num_hidden_layers', { max: MAX.layers, meaning: 'the number of decoder layers' }),
  };
}

function parseAttention(f: ConfigFields, hidden: number) {
  const heads = f.requiredInt('num_attention_heads', { max: MAX.heads, meaning: 'the number of query heads' });
  const kvHeads = f.int('num_key_value_heads', heads, { max: MAX.heads });
  if (heads % kvHeads !== 0) {
    throw f.error('num_key_value_heads', `(${kvHeads}) does not divide num_attention_heads (${heads})`,
      'Grouped-query attention needs num_attention_heads to be a multiple of num_key_value_heads.');
  }
  let headDim: number;
  if (f.has('head_dim')) {
    headDim = f.int('head_dim', 0, { max: MAX.headDim });
  } else {
    if (hidden % heads !== 0) {
      throw f.error('hidden_size', `(${hidden}) is not divisible by num_attention_heads (${heads})`,
        'Set "head_dim" explicitly or fix hidden_size / num_attention_heads.');
    }
    headDim = hidden / heads;
    if (headDim > MAX.headDim) {
      // RoPE builds head_dim × head_dim tables: refused here, before anything of that size is allocated.
      throw f.error('hidden_size', `(${hidden}) over num_attention_heads (${heads}) gives head_dim ${headDim}, which is absurdly large (limit ${MAX.headDim})`,
        'Check hidden_size and num_attention_heads for a typo, or set "head_dim" explicitly.');
    }
  }
  if (headDim % 2 !== 0) {
    const field = f.has('head_dim') ? 'head_dim' : 'hidden_size';
    throw f.error(field, `gives head_dim ${headDim}, which is odd`,
      'Rotary position embedding rotates pairs of channels, so head_dim must be even.');
  }
  return { numAttentionHeads: heads, numKeyValueHeads: kvHeads, headDim };
}

function parseHiddenAct(f: ConfigFields): string {
  if (!f.has('hidden_act')) return 'silu';
  const act = f.raw.hidden_act;
  if (act === 'silu' || act === 'swish') return 'silu'; // transformers maps both to nn.SiLU
  throw f.error('hidden_act', `is ${show(act)}`, 'PEFT Lab implements the SwiGLU MLP of this family only: use "silu".');
}

function parseSlidingWindow(f: ConfigFields, modelType: SupportedModelType): number | null {
  const window = (fallback: number | null): number | null =>
    f.has('sliding_window') ? f.int('sliding_window', 0, { max: MAX.positions }) : fallback;
  if (modelType === 'mistral') return 'sliding_window' in f.raw ? window(null) : 4096;
  if (modelType === 'qwen2') return f.bool('use_sliding_window', false) ? window(4096) : null;
  return null;
}
