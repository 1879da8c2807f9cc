// Which files of a Hub model repo a run needs: config.json, the tokenizer files, generation_config.json, and the
// safetensors weights (model.safetensors, or the shards named model-…-of-….safetensors with their index). A
// bitsandbytes pre-quantised checkpoint is the same files with a quantization_config in config.json. Other weight
// formats (.bin, .pt, .gguf, ONNX, TF, Flax), sub-folders, docs and images are never fetched.
import { PeftLabError } from '../../src-shared/errors';

export interface RepoEntry {
  path: string;
  size: number;
  /** git blob id of the file (of the LFS pointer for LFS files). */
  oid: string;
  lfs?: { oid: string; size: number };
}

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILES = [
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'chat_template.jinja', 'chat_template.json',
] as const;
export const EXTRA_FILES = ['generation_config.json'] as const;
const SINGLE = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';
const SHARD = /^model-\d{5}-of-\d{5}\.safetensors$/;
const OTHER_WEIGHTS = /\.(bin|pt|pth|ckpt|gguf|ggml|onnx|onnx_data|h5|msgpack|tflite|mlmodel)$/i;

export interface Selection {
  files: RepoEntry[];
  skipped: string[];
}

/** Picks the files a run needs from a repo listing; an error names what the repo lacks and what to do. */
export function selectRunFiles(repo: string, entries: RepoEntry[]): Selection {
  const top = new Map(entries.filter((e) => !e.path.includes('/')).map((e) => [e.path, e]));
  if (!top.has(CONFIG_FILE)) {
    throw new PeftLabError('FILE_NOT_FOUND', `Hub repo ${repo} has no ${CONFIG_FILE} at its top level, so it is not a Transformers model; pick the repo of the base model (e.g. meta-llama/Llama-3.2-1B)`, { repo });
  }
  const wanted = new Set<string>([CONFIG_FILE, ...TOKENIZER_FILES, ...EXTRA_FILES].filter((f) => top.has(f)));
  if (top.has(INDEX)) {
    const shards = [...top.keys()].filter((p) => SHARD.test(p));
    if (shards.length === 0) {
      throw new PeftLabError('FILE_NOT_FOUND', `Hub repo ${repo} has ${INDEX} but no model-NNNNN-of-NNNNN.safetensors shards`, { repo });
    }
    wanted.add(INDEX);
    for (const s of shards) wanted.add(s);
  } else if (top.has(SINGLE)) {
    wanted.add(SINGLE);
  } else {
    const other = entries.filter((e) => OTHER_WEIGHTS.test(e.path)).map((e) => e.path);
    throw new PeftLabError('FILE_NOT_FOUND',
      `Hub repo ${repo} has no safetensors weights (${SINGLE} or ${INDEX})` +
        (other.length ? `; it only has ${other.slice(0, 4).join(', ')}${other.length > 4 ? ', …' : ''}, which PEFT Lab does not load (convert them to safetensors, or pick a repo that has them)` : ''),
      { repo });
  }
  const files = entries.filter((e) => wanted.has(e.path)).sort((a, b) => a.size - b.size || a.path.localeCompare(b.path));
  const skipped = entries.filter((e) => !wanted.has(e.path)).map((e) => e.path).sort();
  return { files, skipped };
}

/** The name of a file's blob in the cache (what Python's huggingface_hub uses): sha256 for LFS, git oid otherwise. */
export function blobEtag(e: RepoEntry): string {
  return e.lfs?.oid ?? e.oid;
}

export function fileSize(e: RepoEntry): number {
  return e.lfs?.size ?? e.size;
}
