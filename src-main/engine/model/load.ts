// Builds a CausalLM from a Hugging Face folder (config.json + safetensors). A folder with only config.json is a
// "meta" model: enough to plan (parameter counts, memory) but not to run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import { architectureFor } from './architectures/registry';
import type { Architecture, LinearModuleInfo } from './architectures/types';
import { llamaShapeHint, loadCheckpoint } from './checkpoint';
import type { ModelConfig } from './config';
import { readModelConfig } from './config';
import type { DecoderLayer, ProjectionName } from './causal-lm';
import { CausalLM } from './causal-lm';
import { DenseWeight, FrozenLinear } from './linear';

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

/** Loads the weights of a folder into a CausalLM on the current tfjs backend. */
export async function loadModel(dir: string): Promise<CausalLM> {
  const info = await readModelInfo(dir);
  if (!info.hasWeights) {
    throw new PeftLabError('FILE_NOT_FOUND',
      `model folder ${dir} has a config.json but no weights (model.safetensors or model.safetensors.index.json); ` +
      'it can be used for planning only');
  }
  const expected = info.arch.expectedWeights(info.config);
  const optional = new Set<string>();
  if (info.config.tieWordEmbeddings) optional.add('lm_head.weight');
  const weights = await loadCheckpoint(dir, expected, { optional, shapeHint: llamaShapeHint(info.config) });
  return buildModel(info.config, info.arch, weights);
}

/** Assembles a model from float32 arrays (also used by tests that build models in memory). */
export function buildModel(config: ModelConfig, arch: Architecture, w: Loaded): CausalLM {
  const t2 = (name: string) => tensor(w, name, 2) as tf.Tensor2D;
  const t1 = (name: string) => tensor(w, name, 1) as tf.Tensor1D;
  const modules = arch.linearModules(config);
  const linear = (info: LinearModuleInfo) =>
    new FrozenLinear(info, new DenseWeight(t2(`${info.name}.weight`)), info.bias ? t1(`${info.name}.bias`) : null);
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

function tensor(w: Loaded, name: string, rank: number): tf.Tensor {
  const entry = w.get(name);
  if (!entry) throw new PeftLabError('CHECKPOINT_MISMATCH', `weight ${name} is missing`);
  if (entry.shape.length !== rank) {
    throw new PeftLabError('CHECKPOINT_MISMATCH', `weight ${name} has rank ${entry.shape.length}, expected ${rank}`);
  }
  return tf.tensor(entry.data, entry.shape, 'float32');
}
