// Finding and opening the safetensors files of a Hugging Face model folder (peft-spec §7.5):
// `model.safetensors`, or the shards named by `model.safetensors.index.json` ({"metadata": {...},
// "weight_map": {tensor name: shard file name}}). The index is checked against the shards' own headers.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PeftLabError } from '../../../src-shared/errors';
import { SafetensorsFile } from './safetensors-read';
import type { StTensorInfo } from './safetensors-header';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** Buffers that older conversions stored but current code recomputes; never an error when present. */
export function isIgnorableTensor(name: string): boolean {
  return name.endsWith('.rotary_emb.inv_freq');
}

export interface OpenCheckpoint {
  dir: string;
  /** What was found: the single file, or the index file of a sharded checkpoint. */
  source: string;
  files: SafetensorsFile[];
  /** Every tensor of every file, by name, with the file that holds it. */
  tensors: Map<string, { file: SafetensorsFile; info: StTensorInfo }>;
}

/** Opens every safetensors file of `dir` (headers only). Close with `closeCheckpoint`. */
export async function openCheckpoint(dir: string): Promise<OpenCheckpoint> {
  const single = join(dir, SINGLE_FILE);
  if (await isFile(single)) {
    const file = await SafetensorsFile.open(single);
    const tensors = new Map(file.header.tensors.map((info) => [info.name, { file, info }]));
    return { dir, source: single, files: [file], tensors };
  }
  const index = join(dir, INDEX_FILE);
  if (await isFile(index)) return openSharded(dir, index);
  throw new PeftLabError('FILE_NOT_FOUND',
    `${dir}: no weights found; looked for ${SINGLE_FILE} and ${INDEX_FILE}. ` +
      'Put the safetensors checkpoint of the model in this folder (pytorch_model.bin is not supported; convert it to safetensors).',
    { dir });
}

export async function closeCheckpoint(ck: OpenCheckpoint): Promise<void> {
  await Promise.all(ck.files.map((f) => f.close()));
}

async function openSharded(dir: string, indexPath: string): Promise<OpenCheckpoint> {
  const weightMap = await readIndex(indexPath);
  const shardNames = [...new Set(weightMap.values())].sort();
  const files: SafetensorsFile[] = [];
  try {
    for (const shard of shardNames) {
      const path = join(dir, shard);
      if (!(await isFile(path))) {
        throw new PeftLabError('FILE_NOT_FOUND',
          `${indexPath} lists shard ${shard}, but ${path} does not exist. Download all shards of the checkpoint.`,
          { file: path, index: indexPath });
      }
      files.push(await SafetensorsFile.open(path));
    }
    const tensors = collectShardTensors(files, shardNames, weightMap, indexPath);
    return { dir, source: indexPath, files, tensors };
  } catch (e) {
    await Promise.all(files.map((f) => f.close()));
    throw e;
  }
}

function collectShardTensors(
  files: SafetensorsFile[],
  shardNames: string[],
  weightMap: Map<string, string>,
  indexPath: string,
): OpenCheckpoint['tensors'] {
  const tensors: OpenCheckpoint['tensors'] = new Map();
  files.forEach((file, k) => {
    for (const info of file.header.tensors) {
      const listed = weightMap.get(info.name);
      const other = tensors.get(info.name);
      if (other !== undefined) {
        throw indexError(indexPath, `tensor "${info.name}" is stored in both ${other.file.path} and ${file.path}`);
      }
      if (listed === undefined && !isIgnorableTensor(info.name)) {
        throw indexError(indexPath, `shard ${shardNames[k]} holds tensor "${info.name}", which the weight_map does not list`);
      }
      if (listed !== undefined && listed !== shardNames[k]) {
        throw indexError(indexPath, `weight_map puts tensor "${info.name}" in ${listed}, but it is stored in ${shardNames[k]}`);
      }
      tensors.set(info.name, { file, info });
    }
  });
  for (const [name, shard] of weightMap) {
    if (!tensors.has(name)) {
      throw indexError(indexPath, `weight_map puts tensor "${name}" in ${shard}, but that shard does not contain it`);
    }
  }
  return tensors;
}

async function readIndex(indexPath: string): Promise<Map<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (e) {
    throw indexError(indexPath, `is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw indexError(indexPath, 'must hold a JSON object');
  const wm = (json as Record<string, unknown>).weight_map;
  if (wm === null || typeof wm !== 'object' || Array.isArray(wm)) {
    throw indexError(indexPath, 'has no "weight_map" object (tensor name → shard file name)');
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || shard === '' || /[\\/]/.test(shard) || shard === '.' || shard === '..') {
      throw indexError(indexPath, `weight_map entry "${name}" must be a file name in the same folder, got ${JSON.stringify(shard)}`);
    }
    map.set(name, shard);
  }
  if (map.size === 0) throw indexError(indexPath, 'has an empty "weight_map"');
  return map;
}

function indexError(indexPath: string, what: string): PeftLabError {
  return new PeftLabError('SAFETENSORS_INVALID',
    `${indexPath}: ${what}. The index and the shards do not belong together; download the checkpoint again.`,
    { file: indexPath });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
