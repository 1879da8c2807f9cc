// Loading a Hugging Face checkpoint folder (peft-spec §7.2, §7.4, §7.5) into float32 arrays, checked against
// the tensor names and shapes the config implies (built by the architecture: name → shape).

import { basename } from 'node:path';
import { PeftLabError } from '../../../src-shared/errors';
import { closeCheckpoint, isIgnorableTensor, openCheckpoint } from './checkpoint-files';
import type { OpenCheckpoint } from './checkpoint-files';
import { FLOAT32_READABLE } from './safetensors-read';
import type { StDtype } from './safetensors-dtype';
import { tensorByteSize } from './safetensors-dtype';

export { INDEX_FILE, SINGLE_FILE, isIgnorableTensor } from './checkpoint-files';
export { llamaShapeHint } from './checkpoint-hints';

export interface LoadedTensor {
  shape: number[];
  data: Float32Array;
  /** The dtype stored in the file (F32, F16, BF16, F64) before conversion to float32. */
  sourceDtype: string;
}

export interface LoadCheckpointOptions {
  /** Expected names that may be absent (e.g. lm_head.weight when embeddings are tied). */
  optional?: Set<string>;
  /** Explains an expected shape from the config fields, for mismatch messages (see `llamaShapeHint`). */
  shapeHint?: (name: string) => string | undefined;
  /** Tensors that may be present without being expected (read by someone else, e.g. bitsandbytes' quantised weights). */
  allowExtra?: (name: string) => boolean;
}

export interface CheckpointTensorInfo {
  name: string;
  dtype: StDtype;
  shape: number[];
  /** File name inside the folder (e.g. model-00001-of-00002.safetensors). */
  file: string;
  /** Full path of that file. */
  path: string;
}

/**
 * Loads every expected tensor of `dir` (model.safetensors or the shards of model.safetensors.index.json) as
 * float32. Missing, misshapen or unexpected tensors are CHECKPOINT_MISMATCH; no weights at all is FILE_NOT_FOUND.
 */
export async function loadCheckpoint(
  dir: string,
  expected: Map<string, number[]>,
  opts: LoadCheckpointOptions = {},
): Promise<Map<string, LoadedTensor>> {
  const ck = await openCheckpoint(dir);
  try {
    checkAgainstExpected(ck, expected, opts);
    const out = new Map<string, LoadedTensor>();
    for (const name of expected.keys()) {
      const entry = ck.tensors.get(name);
      if (entry === undefined) continue; // optional and absent
      const data = await entry.file.readFloat32(name);
      out.set(name, { shape: entry.info.shape.slice(), data, sourceDtype: entry.info.dtype });
    }
    return out;
  } finally {
    await closeCheckpoint(ck);
  }
}

/** Every tensor of the checkpoint (names, dtypes, shapes, files) without reading any data. */
export async function listCheckpointTensors(dir: string): Promise<CheckpointTensorInfo[]> {
  const ck = await openCheckpoint(dir);
  try {
    return [...ck.tensors.values()].map(({ file, info }) => ({
      name: info.name,
      dtype: info.dtype,
      shape: info.shape.slice(),
      file: basename(file.path),
      path: file.path,
    }));
  } finally {
    await closeCheckpoint(ck);
  }
}

export interface CheckpointDtypeSummary {
  /** The dtype holding the most elements (null for a checkpoint without elements). */
  dominant: StDtype | null;
  /** Element count per dtype. */
  elements: Partial<Record<StDtype, number>>;
  /** Total bytes of tensor data (as the index's metadata.total_size counts them). */
  totalBytes: number;
}

/** Which dtype(s) the weights are stored in, from the headers only. */
export async function checkpointDtype(dir: string): Promise<CheckpointDtypeSummary> {
  const tensors = await listCheckpointTensors(dir);
  const elements: Partial<Record<StDtype, number>> = {};
  let totalBytes = 0;
  for (const t of tensors) {
    elements[t.dtype] = (elements[t.dtype] ?? 0) + t.shape.reduce((a, b) => a * b, 1);
    totalBytes += tensorByteSize(t.dtype, t.shape) as number;
  }
  let dominant: StDtype | null = null;
  for (const [d, n] of Object.entries(elements) as [StDtype, number][]) {
    if (n > 0 && (dominant === null || n > (elements[dominant] as number))) dominant = d;
  }
  return { dominant, elements, totalBytes };
}

function checkAgainstExpected(ck: OpenCheckpoint, expected: Map<string, number[]>, opts: LoadCheckpointOptions): void {
  const where = ck.files.length === 1 ? ck.source : `the shards of ${ck.source}`;
  const missing = [...expected.keys()].filter((n) => !ck.tensors.has(n) && !opts.optional?.has(n));
  if (missing.length > 0) {
    throw new PeftLabError('CHECKPOINT_MISMATCH',
      `${where}: tensor "${missing[0]}" is missing${more(missing)}. ` +
        'The config.json probably describes another model than these weights; use the config.json that came with the checkpoint.',
      { dir: ck.dir, missing });
  }
  for (const [name, shape] of expected) {
    const entry = ck.tensors.get(name);
    if (entry === undefined || sameShape(entry.info.shape, shape)) continue;
    const hint = opts.shapeHint?.(name);
    throw new PeftLabError('CHECKPOINT_MISMATCH',
      `${entry.file.path}: tensor "${name}" has shape [${entry.info.shape.join(', ')}], but the config expects ` +
        `[${shape.join(', ')}]${hint ? ` (${hint})` : ''}. The config.json and the weights belong to different models.`,
      { file: entry.file.path, tensor: name, expected: shape, actual: entry.info.shape });
  }
  const extra = [...ck.tensors.keys()].filter((n) => !expected.has(n) && !isIgnorableTensor(n) && !opts.allowExtra?.(n)).sort();
  if (extra.length > 0) throw extraError(ck, where, extra);
  for (const name of expected.keys()) {
    const entry = ck.tensors.get(name);
    if (entry !== undefined && !FLOAT32_READABLE.includes(entry.info.dtype)) {
      throw new PeftLabError('CHECKPOINT_MISMATCH',
        `${entry.file.path}: tensor "${name}" is stored as ${entry.info.dtype}; PEFT Lab loads F32, F16 and BF16 weights. ` +
          'Use the unquantised checkpoint (quantisation happens at load time).',
        { file: entry.file.path, tensor: name, dtype: entry.info.dtype });
    }
  }
}

function extraError(ck: OpenCheckpoint, where: string, extra: string[]): PeftLabError {
  const layerOf = (n: string) => Number(/^model\.layers\.(\d+)\./.exec(n)?.[1] ?? -1);
  const maxLayer = Math.max(...extra.map(layerOf));
  const why = maxLayer >= 0
    ? `The checkpoint has more layers (up to model.layers.${maxLayer}) than config.json's num_hidden_layers, or another layout`
    : 'The config.json probably describes another model (or variant) than these weights';
  return new PeftLabError('CHECKPOINT_MISMATCH',
    `${where}: unexpected tensor${extra.length > 1 ? 's' : ''} ${list(extra)}. ${why}; ` +
      'use the config.json that came with the checkpoint.',
    { dir: ck.dir, extra });
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function more(names: string[]): string {
  if (names.length === 1) return '';
  return ` (and ${names.length - 1} more: ${list(names.slice(1))})`;
}

function list(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `"${n}"`).join(', ');
  return names.length > 8 ? `${shown}, … (${names.length} in all)` : shown;
}
