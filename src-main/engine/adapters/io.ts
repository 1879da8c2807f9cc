// Saving and loading adapters in PEFT's on-disk format (peft-spec §6): adapter_config.json (Python-style JSON)
// and adapter_model.safetensors (float32, keys without the adapter name, metadata {"format": "pt"}), plus a
// short README.md model card. Loading checks the file against what the config would create on this base model,
// so an adapter for another base fails with the key and both shapes named.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import { previewValue } from '../../../src-shared/preview';
import { writeTextAtomic } from '../files';
import type { CausalLM } from '../model/causal-lm';
import { SafetensorsFile, writeSafetensorsFile } from '../model/safetensors';
import { saveModelFolder } from '../model/save';
import { methodForPeftConfig } from './registry';
import { pythonJsonDumps } from './peft-json';
import type { InjectedAdapter, ModelShape, PlannedTensor } from './types';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/** Reads every trainable tensor (aliases once) into float32 arrays. */
export async function adapterTensors(adapter: InjectedAdapter): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [key, v] of adapter.trainables()) out.set(key, { shape: v.shape, data: (await v.data()) as Float32Array });
  return out;
}

/**
 * Writes what a method produces: a PEFT adapter folder, or (full fine-tuning) a whole Hugging Face model folder,
 * which needs the loaded model and its source folder for the tokenizer files.
 */
export async function saveAdapter(dir: string, adapter: InjectedAdapter, model: ModelShape | CausalLM, baseModelName: string, sourceDir?: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  if (adapter.method.savesFullModel) {
    if (!sourceDir || !('layers' in model)) throw new Error('saving a fully fine-tuned model needs the loaded model and its source folder');
    await saveModelFolder(model, dir, { dtype: 'F32', sourceDir });
    return;
  }
  const tensors = adapter.peftTensors ? await adapter.peftTensors() : await adapterTensors(adapter);
  await writeSafetensorsFile(
    path.join(dir, ADAPTER_WEIGHTS),
    [...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data })),
    { format: 'pt' },
  );
  const cfg = adapter.method.peftConfig(model, adapter.config, baseModelName);
  await writeTextAtomic(path.join(dir, ADAPTER_CONFIG), pythonJsonDumps(cfg));
  await writeTextAtomic(path.join(dir, 'README.md'), modelCard(adapter, baseModelName, tensors));
}

function modelCard(adapter: InjectedAdapter, base: string, tensors: Map<string, { data: Float32Array }>): string {
  let n = 0;
  for (const t of tensors.values()) n += t.data.length;
  return [
    '---', `base_model: ${base}`, 'library_name: peft', '---', '',
    `# ${adapter.method.peftType} adapter for ${base}`, '',
    `Trained with PEFT Lab. ${n.toLocaleString('en-US')} trainable parameters.`, '',
    'Load with Python PEFT: `PeftModel.from_pretrained(base_model, "<this folder>")`.', '',
  ].join('\n');
}

export async function readAdapterConfig(dir: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, ADAPTER_CONFIG);
  if (!fs.existsSync(file)) {
    throw new PeftLabError('FILE_NOT_FOUND', `${file} not found; an adapter folder holds adapter_config.json and adapter_model.safetensors`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PeftLabError('ADAPTER_INVALID', `${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new PeftLabError('ADAPTER_INVALID', `${file} must hold a JSON object`);
  return json as Record<string, unknown>;
}

/** Loads a PEFT adapter folder onto a model: config → method → inject → assign the saved tensors. */
export async function loadAdapter(dir: string, model: CausalLM): Promise<InjectedAdapter> {
  const json = await readAdapterConfig(dir);
  const where = path.join(dir, ADAPTER_CONFIG);
  const method = methodForPeftConfig(json, where);
  const cfg = method.fromPeftConfig(json, where);
  const plan = inConfigFile(where, () => method.plan(model, cfg));
  const file = await SafetensorsFile.open(path.join(dir, ADAPTER_WEIGHTS));
  try {
    const values = await readPlanned(file, plan, json);
    const adapter = method.inject(model, cfg, { seed: 0 });
    for (const [key, v] of adapter.trainables()) {
      const saved = values.get(key);
      if (saved) tf.tidy(() => v.assign(tf.tensor(saved, v.shape)));
    }
    return adapter;
  } finally {
    await file.close();
  }
}

/** Runs `fn`, naming the adapter's config file in a planning error (which speaks of method.r, method.targetModules…). */
function inConfigFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PeftLabError && !e.message.includes(file)) throw new PeftLabError(e.code, `${file}: ${e.message}`, e.details);
    throw e;
  }
}

async function readPlanned(file: SafetensorsFile, plan: PlannedTensor[], json: Record<string, unknown>): Promise<Map<string, Float32Array>> {
  const base = json.base_model_name_or_path ? ` (it was trained on ${typeof json.base_model_name_or_path === 'string' ? json.base_model_name_or_path.slice(0, 300) : previewValue(json.base_model_name_or_path)})` : '';
  const wanted = new Set(plan.map((p) => p.key));
  const extra = file.names().filter((n) => !wanted.has(n));
  if (extra.length) {
    throw new PeftLabError('ADAPTER_INVALID',
      `${file.path}: holds tensors its adapter_config.json does not create on this model: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}; ` +
      `the adapter was made for a different base model or config${base}`);
  }
  const out = new Map<string, Float32Array>();
  for (const p of plan) {
    if (!file.has(p.key)) {
      throw new PeftLabError('ADAPTER_INVALID', `${file.path}: tensor ${p.key} is missing; the adapter is incomplete or for a different base model${base}`);
    }
    const info = file.info(p.key);
    if (info.shape.join(',') !== p.shape.join(',')) {
      throw new PeftLabError('ADAPTER_INVALID',
        `${file.path}: tensor ${p.key} has shape [${info.shape.join(', ')}] but this base model needs [${p.shape.join(', ')}]; ` +
        `the adapter was trained on a different base model${base}`);
    }
    if (!p.aliasOf) out.set(p.key, await file.readFloat32(p.key));
  }
  return out;
}
