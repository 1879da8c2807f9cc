// bitsandbytes checkpoints (peft-spec §2.5, §2.8): `quantizeModelFolder` writes a folder laid out as
// Transformers saves a model loaded in 4 or 8 bits; loading it back gives exactly the weights and logits of
// quantising the original in memory; a folder that is not what its config says is refused with the tensor named.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaseSpecInput } from '../../../src-shared/domain/base-spec';
import { BaseSpecSchema, resolveBaseOptions } from '../../../src-shared/domain/base-spec';
import { useBackend } from '../../../src-main/engine/backends/index';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import { FrozenLinear } from '../../../src-main/engine/model/linear';
import { loadModel } from '../../../src-main/engine/model/load';
import { SafetensorsFile, writeSafetensorsFile } from '../../../src-main/engine/model/safetensors';
import type { StWriteTensor } from '../../../src-main/engine/model/safetensors';
import { FourBitWeight } from '../../../src-main/engine/quant/four-bit-weight';
import { measureBaseWeights } from '../../../src-main/engine/quant/measure';
import { quantizeModelFolder } from '../../../src-main/engine/quant/quantize-model';
import { writeTinyModel } from '../../helpers/tiny-model';
import { TINY_VOCAB_SIZE, writeTinyTokenizer } from '../../helpers/tiny-tokenizer';

let root: string;
const MODEL = { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, seed: 4 };
const IDS = Int32Array.from([1, 40, 77, 3, 150, 9, 200, 12]);

beforeAll(async () => {
  await useBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-bnb-'));
  await writeTinyModel(path.join(root, 'f32'), MODEL);
  await writeTinyTokenizer(path.join(root, 'f32'));
  await writeTinyModel(path.join(root, 'bf16'), { ...MODEL, dtype: 'BF16' });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const base = (b: BaseSpecInput) => BaseSpecSchema.parse(b);

async function logits(model: CausalLM): Promise<Float32Array> {
  const t = model.logits({ inputIds: IDS, batchSize: 1, seqLen: IDS.length });
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

async function tensorsOf(file: string): Promise<Map<string, { dtype: string; shape: number[] }>> {
  const f = await SafetensorsFile.open(file);
  const out = new Map(f.header.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape }]));
  await f.close();
  return out;
}

/** Writes the folder, then checks: loading it = quantising in memory, logits bit for bit. */
async function roundTrip(src: string, name: string, b: BaseSpecInput): Promise<string> {
  const out = path.join(root, name);
  await quantizeModelFolder(path.join(root, src), out, resolveBaseOptions(base(b)));
  const inMemory = await loadModel(path.join(root, src), { base: base(b) });
  const fromFile = await loadModel(out);
  try {
    expect(Array.from(await logits(fromFile))).toEqual(Array.from(await logits(inMemory)));
    expect(measureBaseWeights(fromFile)).toEqual(measureBaseWeights(inMemory));
  } finally {
    inMemory.dispose();
    fromFile.dispose();
  }
  return out;
}

describe('4-bit NF4 + double quantisation', () => {
  let out: string;
  beforeAll(async () => {
    out = await roundTrip('f32', 'nf4-dq', { bits: 4, quantType: 'nf4', doubleQuant: true });
  });

  it('writes quantization_config as Transformers does (all fields, keys sorted, 6.0 as a float)', () => {
    const text = fs.readFileSync(path.join(out, 'config.json'), 'utf8');
    expect(JSON.parse(text).quantization_config).toEqual({
      _load_in_4bit: true, _load_in_8bit: false, bnb_4bit_compute_dtype: 'float32', bnb_4bit_quant_storage: 'uint8',
      bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, llm_int8_enable_fp32_cpu_offload: false,
      llm_int8_has_fp16_weight: false, llm_int8_skip_modules: null, llm_int8_threshold: 6, load_in_4bit: true,
      load_in_8bit: false, quant_method: 'bitsandbytes',
    });
    expect(text).toContain('    "llm_int8_threshold": 6.0,\n');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('lays out each linear module as bitsandbytes saves it', async () => {
    const t = await tensorsOf(path.join(out, 'model.safetensors'));
    // q_proj (32, 32): N = 1024 → 512 bytes [512, 1]; K = 16 blocks of 64 → 16 uint8 absmax codes, 1 nested absmax.
    const q = 'model.layers.0.self_attn.q_proj.weight';
    expect(t.get(q)).toEqual({ dtype: 'U8', shape: [512, 1] });
    expect(t.get(`${q}.absmax`)).toEqual({ dtype: 'U8', shape: [16] });
    expect(t.get(`${q}.nested_absmax`)).toEqual({ dtype: 'F32', shape: [1] });
    expect(t.get(`${q}.quant_map`)).toEqual({ dtype: 'F32', shape: [16] });
    expect(t.get(`${q}.nested_quant_map`)).toEqual({ dtype: 'F32', shape: [256] });
    expect(t.get(`${q}.quant_state.bitsandbytes__nf4`)?.dtype).toBe('U8');
    // down_proj (32, 64): 2048 weights → [1024, 1], 32 blocks.
    expect(t.get('model.layers.1.mlp.down_proj.weight')).toEqual({ dtype: 'U8', shape: [1024, 1] });
    // Embeddings, norms and lm_head are not quantised.
    expect(t.get('model.embed_tokens.weight')).toEqual({ dtype: 'F32', shape: [TINY_VOCAB_SIZE, 32] });
    expect(t.get('lm_head.weight')).toEqual({ dtype: 'F32', shape: [TINY_VOCAB_SIZE, 32] });
    expect(t.get('model.norm.weight')).toEqual({ dtype: 'F32', shape: [32] });
  });

  it('stores the quant state as json.dumps writes it, with the mean offset of the absmax', async () => {
    const f = await SafetensorsFile.open(path.join(out, 'model.safetensors'));
    const q = 'model.layers.0.self_attn.q_proj.weight';
    const json = new TextDecoder().decode(await f.readRaw(`${q}.quant_state.bitsandbytes__nf4`));
    const nested = await f.readFloat32(`${q}.nested_absmax`);
    await f.close();
    expect(json).toMatch(/^\{"quant_type": "nf4", "blocksize": 64, "dtype": "float32", "shape": \[32, 32\], "nested_blocksize": 256, "nested_dtype": "float32", "nested_offset": 0\.\d+\}$/);
    const offset = JSON.parse(json).nested_offset as number;
    expect(Math.fround(offset)).toBe(offset); // a float32 value, printed with Python's shortest repr
    expect(nested[0]).toBeGreaterThan(0);
  });

  it('copies the tokenizer files', () => {
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      expect(fs.readFileSync(path.join(out, f))).toEqual(fs.readFileSync(path.join(root, 'f32', f)));
    }
  });

  it('dequantises to exactly the in-memory quantisation, module by module', async () => {
    const a = await loadModel(out);
    const b = await loadModel(path.join(root, 'f32'), { base: base({ bits: 4 }) });
    try {
      for (const info of a.linearModules().filter((m) => m.layer !== null)) {
        const wa = (a.getLinear(info.name) as FrozenLinear).weight;
        const wb = (b.getLinear(info.name) as FrozenLinear).weight;
        expect(wa).toBeInstanceOf(FourBitWeight);
        expect(await (wa as FourBitWeight).read()).toEqual(await (wb as FourBitWeight).read());
        const [da, db] = [wa.materialize(), wb.materialize()];
        expect(Array.from(await da.data())).toEqual(Array.from(await db.data()));
        tf.dispose([da, db]);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('loads as saved, or as asked when that is the same; refuses another storage', async () => {
    const same = await loadModel(out, { base: base({ bits: 4, quantType: 'nf4' }) });
    same.dispose();
    await expect(loadModel(out, { base: base({ bits: 8 }) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID', message: expect.stringContaining('saved quantised (4-bit nf4 + double quantisation'),
    });
  });
});

describe('other layouts', () => {
  it('4-bit FP4 without double quantisation: float32 absmax per block; bf16 source keeps dtype "bfloat16"', async () => {
    const out = await roundTrip('bf16', 'fp4', { bits: 4, quantType: 'fp4', doubleQuant: false });
    const t = await tensorsOf(path.join(out, 'model.safetensors'));
    expect(t.get('model.layers.0.mlp.up_proj.weight.absmax')).toEqual({ dtype: 'F32', shape: [32] });
    expect(t.has('model.layers.0.mlp.up_proj.weight.nested_absmax')).toBe(false);
    expect(t.get('model.embed_tokens.weight')?.dtype).toBe('BF16');
    const f = await SafetensorsFile.open(path.join(out, 'model.safetensors'));
    const json = new TextDecoder().decode(await f.readRaw('model.layers.0.mlp.up_proj.weight.quant_state.bitsandbytes__fp4'));
    await f.close();
    expect(json).toBe('{"quant_type": "fp4", "blocksize": 64, "dtype": "bfloat16", "shape": [64, 32]}');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).quantization_config).toMatchObject({
      bnb_4bit_quant_type: 'fp4', bnb_4bit_use_double_quant: false, load_in_4bit: true,
    });
  });

  it('8-bit LLM.int8: int8 weight, float32 SCB, weight_format 0', async () => {
    const out = await roundTrip('f32', 'int8', { bits: 8 });
    const t = await tensorsOf(path.join(out, 'model.safetensors'));
    expect(t.get('model.layers.1.self_attn.k_proj.weight')).toEqual({ dtype: 'I8', shape: [16, 32] });
    expect(t.get('model.layers.1.self_attn.k_proj.SCB')).toEqual({ dtype: 'F32', shape: [16] });
    expect(t.get('model.layers.1.self_attn.k_proj.weight_format')).toEqual({ dtype: 'U8', shape: [] });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).quantization_config).toMatchObject({
      _load_in_8bit: true, load_in_8bit: true, load_in_4bit: false, llm_int8_threshold: 6,
    });
  });

  it('refuses to quantise a quantised folder, or to write over one', async () => {
    await expect(quantizeModelFolder(path.join(root, 'int8'), path.join(root, 'again'), resolveBaseOptions(base({ bits: 4 }))))
      .rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('already quantised') });
    await expect(quantizeModelFolder(path.join(root, 'f32'), path.join(root, 'int8'), resolveBaseOptions(base({ bits: 4 }))))
      .rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('already holds a model.safetensors') });
  });
});

describe('a folder that is not what its config says', () => {
  async function tamper(name: string, change: (t: StWriteTensor[]) => StWriteTensor[]): Promise<string> {
    const src = path.join(root, 'nf4-dq');
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(src, 'config.json'), path.join(dir, 'config.json'));
    const f = await SafetensorsFile.open(path.join(src, 'model.safetensors'));
    const tensors: StWriteTensor[] = [];
    for (const t of f.header.tensors) tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: await f.readRaw(t.name) });
    await f.close();
    await writeSafetensorsFile(path.join(dir, 'model.safetensors'), change(tensors), { format: 'pt' });
    return dir;
  }
  const q = 'model.layers.0.self_attn.q_proj.weight';

  it('names a code book that differs from NF4', async () => {
    const dir = await tamper('bad-map', (ts) => ts.map((t) => (t.name === `${q}.quant_map` ? { ...t, data: new Float32Array(16) } : t)));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining(`"${q}.quant_map" differs from the nf4 code book`) });
  });

  it('names a missing nested absmax', async () => {
    const dir = await tamper('no-nested', (ts) => ts.filter((t) => t.name !== `${q}.nested_absmax`));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining(`"${q}.nested_absmax" is missing`) });
  });

  it('names a quant state whose shape is not the config\'s', async () => {
    const state = `${q}.quant_state.bitsandbytes__nf4`;
    const dir = await tamper('bad-shape', (ts) => ts.map((t) => {
      if (t.name !== state) return t;
      const json = new TextDecoder().decode(t.data as Uint8Array).replace('[32, 32]', '[16, 64]');
      const bytes = new TextEncoder().encode(json);
      return { ...t, shape: [bytes.length], data: bytes };
    }));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining('config.json implies [32, 32]') });
  });
});
