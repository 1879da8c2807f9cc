// Builds a CausalLM from a Hugging Face folder (config.json + safetensors). A folder with only config.json is a
// "meta" model: enough to plan (parameter counts, memory) but not to run. The decoder's linear weights are stored
// as `base` asks (float32, 16-bit, LLM.int8, 4-bit NF4/FP4: quant/formats.ts), packed from the float32 values at
// load; a checkpoint saved already quantised by bitsandbytes (config.json quantization_config) is used as saved.
// Embeddings, norms and lm_head stay float32, as Transformers leaves them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BaseOptions, BaseSpec } from '../../../src-shared/domain/base-spec';
import { describeBase, resolveBaseOptions } from '../../../src-shared/domain/base-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { storedBaseOptions } from '../quant/bnb-config';
import { loadBnbCheckpoint } from '../quant/bnb-load';
import { baseFormat } from '../quant/formats';
import { architectureFor } from './architectures/registry';
import type { Architecture, LinearModuleInfo } from './architectures/types';
import { llamaShapeHint, loadCheckpoint } from './checkpoint';
import type { ModelConfig } from './config';
import { readModelConfig } from './config';
import type { DecoderLayer, ProjectionName } from './causal-lm';
import { CausalLM } from './causal-lm';
import { DenseWeight, FrozenLinear } from './linear';
import type { BaseWeight } from './linear';

export interface ModelInfo {
  dir: string;
  config: ModelConfig;
  arch: Architecture;
  /** True when the folder holds weights (model.safetensors or a sharded index). */
  hasWeights: boolean;
}

export async function readModelInfo(dir: string): Promise<ModelInfo> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new PeftLabError('FILE_NOT_FOUND', `model folder ${dir} does not exist; pass a Hugging Face model folder (config.json + model.safetensors)`);
  }
  const config = await readModelConfig(dir);
  const arch = architectureFor(config);
  const hasWeights = ['model.safetensors', 'model.safetensors.index.json'].some((f) => fs.existsSync(path.join(dir, f)));
  return { dir, config, arch, hasWeights };
}

type Loaded = Map<string, { shape: number[]; data: Float32Array }>;

export interface LoadModelOptions {
  /** How to hold the decoder's linear weights; absent: as the checkpoint stores them (float32, or bitsandbytes'). */
  base?: BaseSpec;
}

/** Loads the weights of a folder into a CausalLM on the current tfjs backend. */
export async function loadModel(dir: string, opts: LoadModelOptions = {}): Promise<CausalLM> {
  const info = await readModelInfo(dir);
  if (!info.hasWeights) {
    throw new PeftLabError('FILE_NOT_FOUND',
      `model folder ${dir} has a config.json but no weights (model.safetensors or model.safetensors.index.json); ` +
      'it can be used for planning only');
  }
  const stored = storedBaseOptions(info.config.raw, path.join(dir, 'config.json'));
  if (stored) {
    const base = prequantizedBase(stored, opts.base, dir);
    const { floats, packed } = await loadBnbCheckpoint(dir, info.config, info.arch, base);
    return buildModel(info.config, info.arch, floats, { prebuilt: packed });
  }
  const expected = info.arch.expectedWeights(info.config);
  const optional = new Set<string>();
  if (info.config.tieWordEmbeddings) optional.add('lm_head.weight');
  const weights = await loadCheckpoint(dir, expected, { optional, shapeHint: llamaShapeHint(info.config) });
  return buildModel(info.config, info.arch, weights, { base: resolveBaseOptions(opts.base) });
}

/** A pre-quantised checkpoint runs as saved; asking for another storage is an error (only the threshold may change). */
function prequantizedBase(stored: BaseOptions, requested: BaseSpec | undefined, dir: string): BaseOptions {
  if (requested === undefined) return stored;
  const r = resolveBaseOptions(requested);
  const same = r.bits === stored.bits && (r.bits !== 4 || (r.quantType === stored.quantType && r.doubleQuant === stored.doubleQuant));
  if (!same) {
    throw new PeftLabError('CONFIG_INVALID',
      `${path.join(dir, 'config.json')}: these weights were saved quantised (${describeBase(stored)}), but ${describeBase(r)} ` +
        'was asked for. Leave out base / --bits to use them as saved, or load the unquantised checkpoint.');
  }
  return { ...stored, int8Threshold: r.int8Threshold };
}

export interface BuildOptions {
  /** Storage of the decoder's linear weights (default float32). */
  base?: BaseOptions;
  /** Already packed weights by module name (a pre-quantised checkpoint); they take precedence over `w`. */
  prebuilt?: Map<string, BaseWeight>;
}

/** Assembles a model from float32 arrays (also used by tests that build models in memory). */
export function buildModel(config: ModelConfig, arch: Architecture, w: Loaded, o: BuildOptions = {}): CausalLM {
  const t2 = (name: string) => tensor(w, name, 2) as tf.Tensor2D;
  const t1 = (name: string) => tensor(w, name, 1) as tf.Tensor1D;
  const modules = arch.linearModules(config);
  const base = o.base ?? resolveBaseOptions();
  const format = baseFormat(base.bits);
  const weightOf = (info: LinearModuleInfo): BaseWeight => {
    const prebuilt = o.prebuilt?.get(info.name);
    if (prebuilt) return prebuilt;
    const e = entry(w, `${info.name}.weight`, 2);
    return format.create(e.data, [e.shape[0], e.shape[1]], base);
  };
  const linear = (info: LinearModuleInfo) =>
    new FrozenLinear(info, weightOf(info), info.bias ? t1(`${info.name}.bias`) : null);
  const embed = t2('model.embed_tokens.weight');
  const layers: DecoderLayer[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const proj = {} as Record<ProjectionName, FrozenLinear>;
    for (const info of modules) if (info.layer === i) proj[info.shortName as ProjectionName] = linear(info);
    layers.push({
      inputNorm: t1(`model.layers.${i}.input_layernorm.weight`),
      postNorm: t1(`model.layers.${i}.post_attention_layernorm.weight`),
      proj,
    });
  }
  const headInfo = modules.find((m) => m.name === 'lm_head')!;
  const tiedHead = config.tieWordEmbeddings || !w.has('lm_head.weight');
  const head = new FrozenLinear(headInfo, tiedHead ? new DenseWeight(embed, true) : new DenseWeight(t2('lm_head.weight')), null);
  return new CausalLM(config, arch, embed, layers, t1('model.norm.weight'), head);
}

function entry(w: Loaded, name: string, rank: number): { shape: number[]; data: Float32Array } {
  const e = w.get(name);
  if (!e) throw new PeftLabError('CHECKPOINT_MISMATCH', `weight ${name} is missing`);
  if (e.shape.length !== rank) {
    throw new PeftLabError('CHECKPOINT_MISMATCH', `weight ${name} has rank ${e.shape.length}, expected ${rank}`);
  }
  return e;
}

function tensor(w: Loaded, name: string, rank: number): tf.Tensor {
  const e = entry(w, name, rank);
  return tf.tensor(e.data, e.shape, 'float32');
}
