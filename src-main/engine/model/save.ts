// Writes a loaded model as a complete Hugging Face folder: model.safetensors (float32, bfloat16 or float16),
// config.json (torch_dtype updated, quantization_config dropped: the weights written are plain), and the
// tokenizer files copied from the source folder. Used by full fine-tuning and by merge-and-unload.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import { writeJsonAtomic } from '../files';
import type { CausalLM } from './causal-lm';
import { f32ToBf16, f32ToF16 } from './dtype';
import { FrozenLinear } from './linear';
import type { StWriteTensor } from './safetensors';
import { writeSafetensorsFile } from './safetensors';

export type SaveDtype = 'F32' | 'BF16' | 'F16';
const TORCH_DTYPE: Record<SaveDtype, string> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja', 'generation_config.json'];

/** Every tensor of the model by its Hugging Face name (weights dequantised when packed). Caller disposes. */
export function modelTensors(model: CausalLM): { name: string; tensor: tf.Tensor; owned: boolean }[] {
  const out: { name: string; tensor: tf.Tensor; owned: boolean }[] = [{ name: 'model.embed_tokens.weight', tensor: model.embedTokens, owned: false }];
  model.layers.forEach((layer, i) => {
    out.push({ name: `model.layers.${i}.input_layernorm.weight`, tensor: layer.inputNorm, owned: false });
    out.push({ name: `model.layers.${i}.post_attention_layernorm.weight`, tensor: layer.postNorm, owned: false });
  });
  for (const info of model.linearModules()) {
    if (info.name === 'lm_head' && model.config.tieWordEmbeddings) continue;
    const layer = model.getLinear(info.name);
    if (!(layer instanceof FrozenLinear)) {
      throw new PeftLabError('BAD_ARGUMENT', `${info.name} still carries an adapter; merge it (or remove it) before saving the model`);
    }
    out.push({ name: `${info.name}.weight`, tensor: layer.weight.materialize(), owned: true });
    if (layer.bias) out.push({ name: `${info.name}.bias`, tensor: layer.bias, owned: false });
  }
  out.push({ name: 'model.norm.weight', tensor: model.finalNorm, owned: false });
  return out;
}

export async function saveModelFolder(model: CausalLM, outDir: string, opts: { dtype: SaveDtype; sourceDir: string }): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const tensors = modelTensors(model);
  const written: StWriteTensor[] = [];
  try {
    for (const t of tensors) {
      const f32 = (await t.tensor.data()) as Float32Array;
      const data = opts.dtype === 'BF16' ? f32ToBf16(f32) : opts.dtype === 'F16' ? f32ToF16(f32) : Float32Array.from(f32);
      written.push({ name: t.name, dtype: opts.dtype, shape: t.tensor.shape, data });
    }
  } finally {
    for (const t of tensors) if (t.owned) t.tensor.dispose();
  }
  await writeSafetensorsFile(path.join(outDir, 'model.safetensors'), written, { format: 'pt' });
  const config: Record<string, unknown> = { ...model.config.raw, torch_dtype: TORCH_DTYPE[opts.dtype] };
  delete config.quantization_config;
  delete config.dtype;
  await writeJsonAtomic(path.join(outDir, 'config.json'), config);
  for (const f of TOKENIZER_FILES) {
    const src = path.join(opts.sourceDir, f);
    if (fs.existsSync(src) && path.resolve(src) !== path.resolve(outDir, f)) fs.copyFileSync(src, path.join(outDir, f));
  }
}
