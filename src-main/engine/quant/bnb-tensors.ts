// One quantised linear module's tensors in a checkpoint, in the layout bitsandbytes/Transformers save
// (peft-spec §2.5, §2.8; bitsandbytes `functional.py` QuantState.as_dict(packed=True), `utils.py`
// pack_dict_to_tensor, `nn/modules.py` Linear4bit/Linear8bitLt._save_to_state_dict). For a module P:
//   4-bit: P.weight (U8 [ceil(N/2), 1]), P.weight.absmax (F32 [K], or U8 [K] when nested), P.weight.quant_map
//          (F32 [16]), nested: P.weight.nested_absmax (F32 [ceil(K/256)]) and P.weight.nested_quant_map (F32 [256]);
//          P.weight.quant_state.bitsandbytes__nf4|fp4: U8 bytes of the JSON {quant_type, blocksize, dtype, shape,
//          nested_blocksize, nested_dtype, nested_offset} as Python's json.dumps writes it.
//   8-bit: P.weight (I8 [m, n]), P.SCB (F32 [m]), P.weight_format (U8 scalar 0 = row-major).
import { PeftLabError } from '../../../src-shared/errors';
import { pythonFloatRepr } from '../adapters/peft-json';
import type { StDtype, StWriteTensor } from '../model/safetensors';
import type { Packed4bit } from './blockwise';
import { signedDynamicMap } from './dynamic-map';
import type { Int8Rows } from './int8';
import { int8Bytes } from './int8';

/** torch dtype names of the float dtypes a source weight can have. */
export const TORCH_DTYPE: Partial<Record<StDtype, string>> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

const QUANT_STATE = '.quant_state.bitsandbytes__';

/** json.dumps of the non-tensor QuantState items, in bitsandbytes' insertion order. */
export function quantStateJson(p: Packed4bit, dtype: string): string {
  const items = [`"quant_type": "${p.codebook.name}"`, `"blocksize": ${p.blocksize}`, `"dtype": "${dtype}"`, `"shape": [${p.shape.join(', ')}]`];
  if (p.stats.kind === 'nested') {
    items.push(`"nested_blocksize": ${p.stats.inner.blocksize}`, '"nested_dtype": "float32"', `"nested_offset": ${pythonFloatRepr(p.stats.offset)}`);
  }
  return `{${items.join(', ')}}`;
}

/** The state-dict entries of a 4-bit module `prefix` (e.g. "model.layers.0.self_attn.q_proj"). */
export function fourBitStateDict(prefix: string, p: Packed4bit, dtype: string): StWriteTensor[] {
  const w = `${prefix}.weight`;
  const out: StWriteTensor[] = [
    { name: w, dtype: 'U8', shape: [p.bytes.length, 1], data: p.bytes },
    { name: `${w}.quant_map`, dtype: 'F32', shape: [16], data: p.codebook.values },
  ];
  if (p.stats.kind === 'plain') {
    out.push({ name: `${w}.absmax`, dtype: 'F32', shape: [p.stats.absmax.length], data: p.stats.absmax });
  } else {
    const inner = p.stats.inner;
    out.push(
      { name: `${w}.absmax`, dtype: 'U8', shape: [inner.codes.length], data: inner.codes },
      { name: `${w}.nested_absmax`, dtype: 'F32', shape: [inner.absmax.length], data: inner.absmax },
      { name: `${w}.nested_quant_map`, dtype: 'F32', shape: [256], data: signedDynamicMap() },
    );
  }
  const json = new TextEncoder().encode(quantStateJson(p, dtype));
  out.push({ name: `${w}${QUANT_STATE}${p.codebook.name}`, dtype: 'U8', shape: [json.length], data: json });
  return out;
}

export function int8StateDict(prefix: string, q: Int8Rows): StWriteTensor[] {
  return [
    { name: `${prefix}.weight`, dtype: 'I8', shape: q.shape.slice(), data: int8Bytes(q.cb) },
    { name: `${prefix}.SCB`, dtype: 'F32', shape: [q.shape[0]], data: q.scb },
    { name: `${prefix}.weight_format`, dtype: 'U8', shape: [], data: new Uint8Array([0]) },
  ];
}

/** Read access to a checkpoint's tensors by name (see bnb-load.ts). */
export interface TensorSource {
  has(name: string): boolean;
  info(name: string): { dtype: StDtype; shape: number[]; file: string };
  raw(name: string): Promise<Uint8Array>;
  floats(name: string): Promise<Float32Array>;
  /** Names of every tensor. */
  names(): string[];
  /** The checkpoint's file (or index file when sharded), named when a tensor is missing. */
  source?: string;
}

export function mismatch(src: TensorSource, name: string, what: string): PeftLabError {
  const file = src.has(name) ? src.info(name).file : (src.source ?? 'the checkpoint');
  return new PeftLabError('CHECKPOINT_MISMATCH',
    `${file}: tensor "${name}" ${what}. The file was not written by bitsandbytes/Transformers as this config.json says; ` +
      're-export it, or use the unquantised checkpoint (PEFT Lab quantises at load time).', { file, tensor: name });
}

/** The 4-bit quant-state key of module `prefix`, or null when the module is stored unquantised. */
export function fourBitStateKey(src: TensorSource, prefix: string): string | null {
  for (const t of ['nf4', 'fp4']) {
    const key = `${prefix}.weight${QUANT_STATE}${t}`;
    if (src.has(key)) return key;
  }
  return null;
}

/** Every tensor name of module `prefix` that a quantised layout may use (for the unexpected-tensor check). */
export function quantizedNames(prefix: string): string[] {
  const w = `${prefix}.weight`;
  return [w, `${w}.absmax`, `${w}.quant_map`, `${w}.nested_absmax`, `${w}.nested_quant_map`, `${w}${QUANT_STATE}nf4`,
    `${w}${QUANT_STATE}fp4`, `${prefix}.SCB`, `${prefix}.weight_format`];
}
