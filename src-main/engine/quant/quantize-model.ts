// `peft-lab quantize`: writes a Hugging Face folder as Transformers saves a model loaded with bitsandbytes
// (load_in_4bit / load_in_8bit, then save_pretrained): config.json with its quantization_config, model.safetensors
// with each decoder linear weight in bitsandbytes' layout (bnb-tensors.ts) and every other tensor in its original
// dtype, and the tokenizer files copied. Runs in JavaScript only (no tfjs backend): the packing is the same
// reference code that quantises at load time, so loading the folder gives exactly the in-memory quantised model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BaseOptions } from '../../../src-shared/domain/base-spec';
import { describeBase } from '../../../src-shared/domain/base-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { pythonJsonDumps } from '../adapters/peft-json';
import { llamaShapeHint, loadCheckpoint } from '../model/checkpoint';
import type { LoadedTensor } from '../model/checkpoint';
import { f32ToBf16, f32ToF16 } from '../model/dtype';
import { readModelInfo } from '../model/load';
import type { StDtype, StWriteTensor } from '../model/safetensors';
import { writeSafetensorsFile } from '../model/safetensors';
import { quantize4bit } from './blockwise';
import { bnbQuantizationConfig, storedBaseOptions } from './bnb-config';
import { TORCH_DTYPE, fourBitStateDict, int8StateDict } from './bnb-tensors';
import { fourBitCodebook } from './codebooks';
import { quantizeInt8Rows } from './int8';

/** Files of a model folder that travel with it (tokenizers, templates, generation defaults). */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model',
  'vocab.json', 'merges.txt', 'added_tokens.json', 'chat_template.jinja', 'generation_config.json'];

/** The tensors that scale with the weight (codes and their constants), not the per-module code tables or JSON. */
const PER_WEIGHT = /\.(weight|weight\.absmax|weight\.nested_absmax|SCB)$/;

export interface QuantizeReport {
  out: string;
  format: string;
  quantizedModules: number;
  /** Decoder linear weights quantised, and the bytes their tensors take in the file. */
  quantizedParams: number;
  quantizedBytes: number;
  /** quantizedBytes · 8 / quantizedParams. */
  bitsPerWeight: number;
  fileBytes: number;
  copied: string[];
}

/** A tensor kept unquantised, in the dtype it was read from (F64 is written as F32). */
function plainTensor(name: string, t: LoadedTensor): StWriteTensor {
  const dtype = (['F16', 'BF16'].includes(t.sourceDtype) ? t.sourceDtype : 'F32') as StDtype;
  const data = dtype === 'F16' ? f32ToF16(t.data) : dtype === 'BF16' ? f32ToBf16(t.data) : t.data;
  return { name, dtype, shape: t.shape, data };
}

/** The bitsandbytes state-dict entries of one decoder weight, by bit width. */
const WRITERS: Record<number, (module: string, t: LoadedTensor, o: BaseOptions) => StWriteTensor[]> = {
  8: (module, t) => int8StateDict(module, quantizeInt8Rows(t.data, [t.shape[0], t.shape[1]])),
  4: (module, t, o) => fourBitStateDict(module,
    quantize4bit(t.data, t.shape, { codebook: fourBitCodebook(o.quantType)!, blocksize: o.blocksize, doubleQuant: o.doubleQuant }),
    TORCH_DTYPE[t.sourceDtype as StDtype] ?? 'float32'),
};

function checkFolders(src: string, out: string, o: BaseOptions): void {
  if (!WRITERS[o.bits]) {
    throw new PeftLabError('BAD_ARGUMENT', `--bits ${o.bits}: bitsandbytes checkpoints hold 4-bit or 8-bit weights; use --bits 4 or --bits 8`);
  }
  if (path.resolve(src) === path.resolve(out)) throw new PeftLabError('BAD_ARGUMENT', '--out must differ from --model: the source folder is never overwritten');
  if (fs.existsSync(path.join(out, 'model.safetensors'))) {
    throw new PeftLabError('BAD_ARGUMENT', `${out} already holds a model.safetensors; choose an empty folder for --out`);
  }
}

export async function quantizeModelFolder(src: string, out: string, o: BaseOptions): Promise<QuantizeReport> {
  checkFolders(src, out, o);
  const info = await readModelInfo(src);
  if (storedBaseOptions(info.config.raw, path.join(src, 'config.json'))) {
    throw new PeftLabError('BAD_ARGUMENT', `${src} is already quantised (config.json has a quantization_config); quantise the unquantised checkpoint`);
  }
  const expected = info.arch.expectedWeights(info.config);
  const optional = new Set<string>(info.config.tieWordEmbeddings ? ['lm_head.weight'] : []);
  const weights = await loadCheckpoint(src, expected, { optional, shapeHint: llamaShapeHint(info.config) });
  const decoderWeights = new Set(info.arch.linearModules(info.config).filter((m) => m.layer !== null).map((m) => `${m.name}.weight`));
  const tensors: StWriteTensor[] = [];
  let quantizedParams = 0;
  let quantizedBytes = 0;
  for (const [name, t] of weights) {
    if (!decoderWeights.has(name)) {
      tensors.push(plainTensor(name, t));
      continue;
    }
    const q = WRITERS[o.bits](name.slice(0, -'.weight'.length), t, o);
    tensors.push(...q);
    quantizedParams += t.data.length;
    quantizedBytes += q.filter((x) => PER_WEIGHT.test(x.name)).reduce((s, x) => s + x.data.byteLength, 0);
  }
  fs.mkdirSync(out, { recursive: true });
  await writeSafetensorsFile(path.join(out, 'model.safetensors'), tensors, { format: 'pt' });
  const config = { ...info.config.raw, quantization_config: bnbQuantizationConfig(o) };
  fs.writeFileSync(path.join(out, 'config.json'), `${pythonJsonDumps(config)}\n`);
  const copied = TOKENIZER_FILES.filter((f) => fs.existsSync(path.join(src, f)));
  for (const f of copied) fs.copyFileSync(path.join(src, f), path.join(out, f));
  return {
    out, format: describeBase(o), quantizedModules: decoderWeights.size, quantizedParams, quantizedBytes,
    bitsPerWeight: (quantizedBytes * 8) / quantizedParams, fileBytes: fs.statSync(path.join(out, 'model.safetensors')).size, copied,
  };
}
