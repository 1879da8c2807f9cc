// Hostile bitsandbytes checkpoints (issue 9): a tiny LLaMA saved 4-bit NF4 with double quantisation and 8-bit
// LLM.int8 by the project's quantizer, then damaged: the quant_state JSON of a module replaced (missing or wrong
// blocksize, quant_type, shape, nested state), absmax / nested tensors dropped or resized, int8 weights transposed,
// config.json's quantization_config mangled. Each loads, or fails with CHECKPOINT_MISMATCH / CONFIG_INVALID naming
// the file and the tensor or field; nothing is decoded with the wrong layout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { BaseSpecSchema, resolveBaseOptions } from '../../src-shared/domain/base-spec';
import { useBackend } from '../../src-main/engine/backends/index';
import { loadModel } from '../../src-main/engine/model/load';
import { SafetensorsFile, writeSafetensorsFile } from '../../src-main/engine/model/safetensors';
import type { StWriteTensor } from '../../src-main/engine/model/safetensors';
import { storedBaseOptions } from '../../src-main/engine/quant/bnb-config';
import { quantizeModelFolder } from '../../src-main/engine/quant/quantize-model';
import { writeTinyModel } from '../helpers/tiny-model';
import { hostileJson, jsonText, mutatedObject, nestedArray, utf8 } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily, fuzzTempDir } from './fuzz-kit';

const fuzz = fuzzFamily('bitsandbytes checkpoints');
const root = fuzzTempDir('bnb');
const Q = 'model.layers.0.self_attn.q_proj'; // (32, 32): 1024 weights, 16 blocks of 64, one nested block
const K = 'model.layers.1.self_attn.k_proj'; // (16, 32) in int8
const STATE = `${Q}.weight.quant_state.bitsandbytes__nf4`;
const CODES = ['CHECKPOINT_MISMATCH', 'CONFIG_INVALID', 'SAFETENSORS_INVALID'] as const;
const tensors: Record<'nf4' | 'int8', StWriteTensor[]> = { nf4: [], int8: [] };
let goodState: Record<string, unknown>;

beforeAll(async () => {
  await useBackend('cpu');
  const src = path.join(root, 'f32');
  await writeTinyModel(src, { vocabSize: 64, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, seed: 5 });
  for (const [name, spec] of [['nf4', { bits: 4, quantType: 'nf4', doubleQuant: true }], ['int8', { bits: 8 }]] as const) {
    await quantizeModelFolder(src, path.join(root, name), resolveBaseOptions(BaseSpecSchema.parse(spec)));
    const f = await SafetensorsFile.open(path.join(root, name, 'model.safetensors'));
    for (const t of f.header.tensors) tensors[name].push({ name: t.name, dtype: t.dtype, shape: t.shape, data: await f.readRaw(t.name) });
    await f.close();
  }
  goodState = JSON.parse(new TextDecoder().decode(tensors.nf4.find((t) => t.name === STATE)!.data as Uint8Array)) as Record<string, unknown>;
});

let n = 0;
/** A copy of the `kind` folder with its tensors changed by `change` (and config.json by `config`). */
async function tampered(kind: 'nf4' | 'int8', change: (ts: StWriteTensor[]) => StWriteTensor[], config?: (c: Record<string, unknown>) => unknown): Promise<string> {
  const dir = path.join(root, `t${n++}`);
  fs.mkdirSync(dir);
  const cfg = JSON.parse(fs.readFileSync(path.join(root, kind, 'config.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(dir, 'config.json'), config ? jsonText(config(cfg)) : JSON.stringify(cfg));
  await writeSafetensorsFile(path.join(dir, 'model.safetensors'), change(tensors.nf4 === tensors[kind] ? tensors.nf4.slice() : tensors[kind].slice()), { format: 'pt' });
  return dir;
}

const withState = (text: string) => (ts: StWriteTensor[]) => ts.map((t) => (t.name === STATE ? { ...t, shape: [utf8(text).length], data: utf8(text) } : t));

async function loadOrExplain(dir: string, mentions: string[] = [dir]): Promise<void> {
  const m = await acceptOrClear(() => loadModel(dir), { codes: CODES, mentions });
  m?.dispose();
}

describe('bitsandbytes: generated input', () => {
  it('the quant_state JSON of a 4-bit module with fields dropped or replaced', async () => {
    await fuzz.check(fc.asyncProperty(mutatedObject(goodState), async (state) => {
      await loadOrExplain(await tampered('nf4', withState(jsonText(state))));
      return true;
    }), 40);
  });

  it('quant_state bytes that are any JSON or not JSON at all', async () => {
    await fuzz.check(fc.asyncProperty(fc.oneof(hostileJson.map(jsonText), fc.string({ unit: 'binary', maxLength: 40 })), async (text) => {
      await loadOrExplain(await tampered('nf4', withState(text)));
      return true;
    }), 30);
  });

  it('blocksize and nested_blocksize of any integer: loads only with the saved 64 / 256', async () => {
    const size = fc.oneof(fc.constantFrom(0, 1, 32, 64, 128, 256, 4096, 2 ** 31, 2 ** 53), fc.integer({ min: -8, max: 5000 }));
    await fuzz.check(fc.asyncProperty(size, size, async (blocksize, nested) => {
      const dir = await tampered('nf4', withState(JSON.stringify({ ...goodState, blocksize, nested_blocksize: nested })));
      if (blocksize === 64 && nested === 256) await loadOrExplain(dir);
      else await expectRefused(() => loadModel(dir), { codes: ['CHECKPOINT_MISMATCH'], mentions: [Q] });
      return true;
    }), 30);
  });

  it('quantization_config of config.json with fields dropped or replaced', async () => {
    const file = '/models/bnb/config.json';
    const q = { _load_in_4bit: true, load_in_4bit: true, load_in_8bit: false, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true, llm_int8_threshold: 6, quant_method: 'bitsandbytes' };
    await fuzz.check(fc.asyncProperty(fc.oneof(mutatedObject(q, ['llm_int8_has_fp16_weight']), hostileJson), async (qc) => {
      await acceptOrClear(() => storedBaseOptions({ quantization_config: qc }, file), { codes: ['CONFIG_INVALID'], mentions: [file, 'quantization_config'] });
      return true;
    }), 200);
  });
});

describe('bitsandbytes: corpus', () => {
  const drop = (name: string) => (ts: StWriteTensor[]) => ts.filter((t) => t.name !== name);
  const resize = (name: string, len: number) => (ts: StWriteTensor[]) =>
    ts.map((t) => (t.name === name ? { ...t, shape: [len], data: new Uint8Array(len * (t.dtype === 'F32' ? 4 : 1)) } : t));
  // Built when the case runs: goodState is read in beforeAll.
  const state = (over: Record<string, unknown>) => (ts: StWriteTensor[]) => withState(JSON.stringify({ ...goodState, ...over }))(ts);
  fuzz.corpus([
    { name: 'absmax missing', kind: 'nf4' as const, change: drop(`${Q}.weight.absmax`), says: [`${Q}.weight.absmax`, 'missing'] },
    { name: 'absmax of 8 blocks for 16', kind: 'nf4' as const, change: resize(`${Q}.weight.absmax`, 8), says: [`${Q}.weight.absmax`] },
    { name: 'nested_absmax missing', kind: 'nf4' as const, change: drop(`${Q}.weight.nested_absmax`), says: ['nested_absmax'] },
    { name: 'nested_quant_map missing', kind: 'nf4' as const, change: drop(`${Q}.weight.nested_quant_map`), says: ['nested_quant_map'] },
    { name: 'quant_map missing', kind: 'nf4' as const, change: drop(`${Q}.weight.quant_map`), says: ['quant_map'] },
    { name: 'blocksize 32 (absmax has 16 blocks of 64)', kind: 'nf4' as const, change: state({ blocksize: 32 }), says: [`${Q}.weight.absmax`] },
    { name: 'blocksize missing', kind: 'nf4' as const, change: state({ blocksize: undefined }), says: [STATE, 'blocksize'] },
    { name: 'blocksize 1.5', kind: 'nf4' as const, change: state({ blocksize: 1.5 }), says: [STATE] },
    { name: 'quant_type fp4 under an nf4 key', kind: 'nf4' as const, change: state({ quant_type: 'fp4' }), says: [STATE, 'fp4'] },
    { name: 'quant_type nested 50,000 deep', kind: 'nf4' as const, change: withState(`{"quant_type":${'['.repeat(50_000)}${']'.repeat(50_000)},"blocksize":64,"shape":[32,32]}`), says: [STATE] },
    { name: 'shape of another model', kind: 'nf4' as const, change: state({ shape: [16, 64] }), says: [STATE, '[32, 32]'] },
    { name: 'nested_blocksize 0', kind: 'nf4' as const, change: state({ nested_blocksize: 0 }), says: [Q] },
    { name: 'nested_offset a string', kind: 'nf4' as const, change: state({ nested_offset: '0.1' }), says: [STATE, 'nested_offset'] },
    { name: 'quant_state not JSON', kind: 'nf4' as const, change: withState('{"quant_type": "nf4", '), says: [STATE, 'JSON'] },
    { name: 'int8 SCB missing', kind: 'int8' as const, change: drop(`${K}.SCB`), says: [`${K}`] },
    {
      name: 'int8 weight stored transposed [32, 16] (regression: same element count, was read as [16, 32])', kind: 'int8' as const,
      change: (ts: StWriteTensor[]) => ts.map((t) => (t.name === `${K}.weight` ? { ...t, shape: [32, 16] } : t)), says: [`${K}.weight`, '[32, 16]', '[16, 32]'],
    },
    { name: 'int8 weight_format 1 (col32)', kind: 'int8' as const, change: (ts: StWriteTensor[]) => ts.map((t) => (t.name === `${K}.weight_format` ? { ...t, data: new Uint8Array([1]) } : t)), says: ['weight_format'] },
  ], async (c) => {
    const dir = await tampered(c.kind, c.change);
    await expectRefused(() => loadModel(dir), { codes: ['CHECKPOINT_MISMATCH'], mentions: [path.join(dir, 'model.safetensors'), ...c.says] });
  });

  fuzz.corpus([
    { name: 'quant_method gptq', q: { quant_method: 'gptq', load_in_4bit: true }, says: ['gptq'] },
    { name: 'both 4 and 8 bit', q: { load_in_4bit: true, load_in_8bit: true }, says: ['exactly one'] },
    { name: 'quant type nf5', q: { load_in_4bit: true, bnb_4bit_quant_type: 'nf5' }, says: ['nf5'] },
    { name: 'threshold -1', q: { load_in_8bit: true, llm_int8_threshold: -1 }, says: ['llm_int8_threshold'] },
    { name: 'quant_method nested 50,000 deep (was a RangeError)', q: { quant_method: nestedArray(50_000), load_in_4bit: true }, says: ['quant_method'] },
    { name: 'a list', q: [1], says: ['object'] },
  ], (c) => {
    const file = '/models/bnb/config.json';
    return expectRefused(() => storedBaseOptions({ quantization_config: c.q }, file), { codes: ['CONFIG_INVALID'], mentions: [file, 'quantization_config', ...c.says] });
  });
});
