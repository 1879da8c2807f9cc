// Merge-and-unload: load the base (a packed quantised base is dequantised to float32 first, and the command says
// so), load the adapter, fold it into the weights, drop the adapter, write the folder at the chosen precision.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendChoice } from '../../../src-shared/domain/run-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { loadAdapter, readAdapterConfig } from '../../engine/adapters/io';
import { methodForPeftConfig } from '../../engine/adapters/registry';
import { useBackend } from '../../engine/backends/index';
import type { CausalLM } from '../../engine/model/causal-lm';
import { DenseWeight, FrozenLinear } from '../../engine/model/linear';
import { loadModel } from '../../engine/model/load';
import type { SaveDtype } from '../../engine/model/save';
import { saveModelFolder } from '../../engine/model/save';
import { printJson, printLines } from '../output';

export interface MergeOptions {
  model: string;
  adapter: string;
  out: string;
  dtype: string;
  backend: BackendChoice;
  json?: boolean;
}

const DTYPES: Record<string, SaveDtype> = { f32: 'F32', bf16: 'BF16', f16: 'F16' };

/** Replaces packed base weights by dense float32 ones; returns how many (and of which kind) were packed. */
function dequantiseBase(model: CausalLM): { count: number; bits: number | null } {
  let count = 0;
  let bits: number | null = null;
  for (const info of model.linearModules()) {
    const layer = model.getLinear(info.name);
    if (!(layer instanceof FrozenLinear) || layer.weight instanceof DenseWeight) continue;
    bits = layer.weight.bitsPerWeight;
    const dense = new DenseWeight(layer.weight.materialize());
    layer.weight.dispose();
    layer.weight = dense;
    count += 1;
  }
  return { count, bits };
}

export async function merge(o: MergeOptions): Promise<void> {
  const dtype = DTYPES[o.dtype];
  if (!dtype) throw new PeftLabError('BAD_ARGUMENT', `--dtype ${o.dtype}: use f32, bf16 or f16`);
  const cfg = await readAdapterConfig(o.adapter);
  const method = methodForPeftConfig(cfg, path.join(o.adapter, 'adapter_config.json'));
  if (method.mergeable === false) {
    throw new PeftLabError('BAD_ARGUMENT', `${method.peftType} adapters have nothing to merge into the weights (their virtual tokens live outside them); deploy the base model with the adapter instead`);
  }
  if (path.resolve(o.out) === path.resolve(o.model)) throw new PeftLabError('BAD_ARGUMENT', '--out must differ from --model: the base folder is never overwritten');
  if (fs.existsSync(path.join(o.out, 'model.safetensors'))) throw new PeftLabError('BAD_ARGUMENT', `${o.out} already holds a model.safetensors; choose an empty folder`);
  await useBackend(o.backend);
  const model = await loadModel(o.model);
  const notes: string[] = [];
  try {
    const q = dequantiseBase(model);
    if (q.count) notes.push(`the base is quantised (${q.bits?.toFixed(3)} bits per weight): its ${q.count} linear weights were dequantised to float32 before merging`);
    const adapter = await loadAdapter(o.adapter, model);
    adapter.merge();
    adapter.remove();
    await saveModelFolder(model, o.out, { dtype, sourceDir: o.model });
  } finally {
    model.dispose();
  }
  if (o.json) printJson({ out: o.out, dtype, method: method.name, notes });
  else printLines([...notes.map((n) => `note: ${n}`), `merged ${method.name} adapter into ${o.model} → ${o.out} (${dtype})`]);
}
