// Checkpoints of a tiny llama (V=8, H=4, I=6, L=2, heads=2, kv heads=1, head_dim=2), shapes from peft-spec §7.2.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkpointDtype,
  listCheckpointTensors,
  llamaShapeHint,
  loadCheckpoint,
} from '../../../src-main/engine/model/checkpoint';
import { parseModelConfig } from '../../../src-main/engine/model/config';
import { f32ToBf16, f32ToF16 } from '../../../src-main/engine/model/dtype';
import { writeSafetensorsFile } from '../../../src-main/engine/model/safetensors';
import type { StWriteTensor } from '../../../src-main/engine/model/safetensors';
import { peftError, tempDir } from './st-fixtures';

const root = tempDir();
const config = parseModelConfig(
  { model_type: 'llama', vocab_size: 8, hidden_size: 4, intermediate_size: 6, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 },
  'tiny/config.json',
);

/** name → shape, by hand: q [heads·d, H] = [4, 4], k/v [kv·d, H] = [2, 4], o [H, heads·d] = [4, 4], gate/up [I, H], down [H, I]. */
function expectedShapes(layers = 2): Map<string, number[]> {
  const m = new Map<string, number[]>([['model.embed_tokens.weight', [8, 4]]]);
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    m.set(`${p}.input_layernorm.weight`, [4]);
    m.set(`${p}.self_attn.q_proj.weight`, [4, 4]);
    m.set(`${p}.self_attn.k_proj.weight`, [2, 4]);
    m.set(`${p}.self_attn.v_proj.weight`, [2, 4]);
    m.set(`${p}.self_attn.o_proj.weight`, [4, 4]);
    m.set(`${p}.post_attention_layernorm.weight`, [4]);
    m.set(`${p}.mlp.gate_proj.weight`, [6, 4]);
    m.set(`${p}.mlp.up_proj.weight`, [6, 4]);
    m.set(`${p}.mlp.down_proj.weight`, [4, 6]);
  }
  m.set('model.norm.weight', [4]);
  m.set('lm_head.weight', [8, 4]);
  return m;
}

/** Values k/8 in [−1, 1]: exact in F16 and BF16 too. Different per tensor (seeded by index). */
function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => (((i * 7 + seed * 3) % 17) - 8) / 8);
}

function tensor(name: string, shape: number[], seed: number, dtype: 'F32' | 'F16' | 'BF16' = 'F32'): StWriteTensor {
  const v = values(shape, seed);
  const data = dtype === 'F32' ? v : dtype === 'F16' ? f32ToF16(v) : f32ToBf16(v);
  return { name, dtype, shape, data };
}

function allTensors(shapes = expectedShapes(), dtypeOf: (name: string) => 'F32' | 'F16' | 'BF16' = () => 'F32'): StWriteTensor[] {
  return [...shapes].map(([name, shape], i) => tensor(name, shape, i, dtypeOf(name)));
}

let folders = 0;
async function singleFile(tensors: StWriteTensor[]): Promise<string> {
  const dir = path.join(root, `ck${folders++}`);
  fs.mkdirSync(dir);
  await writeSafetensorsFile(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  return dir;
}

/** Two shards: names sorted, first half in shard 1. Returns the folder; `editMap` may corrupt the index. */
async function sharded(tensors: StWriteTensor[], editMap?: (m: Record<string, string>) => void): Promise<string> {
  const dir = path.join(root, `ck${folders++}`);
  fs.mkdirSync(dir);
  const half = Math.ceil(tensors.length / 2);
  const shards = [tensors.slice(0, half), tensors.slice(half)];
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (const [k, list] of shards.entries()) {
    const file = `model-0000${k + 1}-of-00002.safetensors`;
    await writeSafetensorsFile(path.join(dir, file), list, { format: 'pt' });
    for (const t of list) {
      weightMap[t.name] = file;
      total += t.data.byteLength;
    }
  }
  editMap?.(weightMap);
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));
  return dir;
}

describe('loadCheckpoint', () => {
  it('loads a single-file F32 checkpoint with exact values', async () => {
    const tensors = allTensors();
    const dir = await singleFile(tensors);
    const out = await loadCheckpoint(dir, expectedShapes());
    expect(out.size).toBe(21); // embed + 2 × 9 + norm + lm_head
    tensors.forEach((t, i) => {
      const got = out.get(t.name)!;
      expect(got.shape).toEqual(t.shape);
      expect(got.sourceDtype).toBe('F32');
      expect([...got.data]).toEqual([...values(t.shape, i)]);
    });
  });

  it('loads a sharded F16/BF16/F32 mix, converting exactly to float32', async () => {
    const dtypeOf = (n: string) => (n.includes('layers.0') ? 'F16' : n === 'model.norm.weight' ? 'F32' : 'BF16');
    const tensors = allTensors(expectedShapes(), dtypeOf);
    const dir = await sharded(tensors);
    const out = await loadCheckpoint(dir, expectedShapes());
    expect(out.size).toBe(21);
    tensors.forEach((t, i) => {
      const got = out.get(t.name)!;
      expect(got.sourceDtype).toBe(dtypeOf(t.name));
      expect([...got.data]).toEqual([...values(t.shape, i)]);
    });
    const listed = await listCheckpointTensors(dir);
    expect(listed).toHaveLength(21);
    const q0 = listed.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')!;
    expect(q0).toMatchObject({ dtype: 'F16', shape: [4, 4] });
    expect(q0.file).toMatch(/^model-0000[12]-of-00002\.safetensors$/);
    // Elements: a layer has 4+16+8+8+16+4+24+24+24 = 128; F16 = layer 0 = 128; F32 = norm = 4;
    // BF16 = layer 1 + embed 32 + lm_head 32 = 192.
    const summary = await checkpointDtype(dir);
    expect(summary.elements).toEqual({ F16: 128, BF16: 192, F32: 4 });
    expect(summary.dominant).toBe('BF16');
    expect(summary.totalBytes).toBe(128 * 2 + 192 * 2 + 4 * 4);
  });

  it('accepts a missing optional tensor (tied lm_head) and ignores rotary inv_freq buffers', async () => {
    const shapes = expectedShapes();
    const tensors = allTensors(shapes).filter((t) => t.name !== 'lm_head.weight');
    tensors.push(tensor('model.layers.0.self_attn.rotary_emb.inv_freq', [1], 99));
    const dir = await singleFile(tensors);
    const out = await loadCheckpoint(dir, shapes, { optional: new Set(['lm_head.weight']) });
    expect(out.has('lm_head.weight')).toBe(false);
    expect(out.has('model.layers.0.self_attn.rotary_emb.inv_freq')).toBe(false);
    expect(out.size).toBe(20);
  });
});

describe('loadCheckpoint: mismatches', () => {
  it('missing tensor → CHECKPOINT_MISMATCH naming tensor and file', async () => {
    const dir = await singleFile(allTensors().filter((t) => t.name !== 'model.layers.1.mlp.down_proj.weight'));
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes()), 'CHECKPOINT_MISMATCH');
    expect(err.message).toContain('model.layers.1.mlp.down_proj.weight');
    expect(err.message).toContain(path.join(dir, 'model.safetensors'));
    expect(err.message).toContain('config.json');
  });

  it('shape mismatch → CHECKPOINT_MISMATCH with expected, actual and the config fields behind them', async () => {
    const shapes = expectedShapes();
    const tensors = allTensors(shapes).map((t) =>
      t.name === 'model.layers.0.self_attn.k_proj.weight' ? tensor(t.name, [4, 4], 1) : t);
    const dir = await sharded(tensors);
    const err = await peftError(() => loadCheckpoint(dir, shapes, { shapeHint: llamaShapeHint(config) }), 'CHECKPOINT_MISMATCH');
    expect(err.message).toContain('model.layers.0.self_attn.k_proj.weight');
    expect(err.message).toContain('[4, 4]'); // actual
    expect(err.message).toContain('[2, 4]'); // expected
    expect(err.message).toContain('[num_key_value_heads·head_dim, hidden_size] = [1·2, 4]');
    expect(err.message).toMatch(/model-0000[12]-of-00002\.safetensors/);
  });

  it('unexpected tensor → CHECKPOINT_MISMATCH naming it', async () => {
    const dir = await singleFile([...allTensors(), tensor('model.extra.weight', [2], 5)]);
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes()), 'CHECKPOINT_MISMATCH');
    expect(err.message).toContain('"model.extra.weight"');
  });

  it('a checkpoint with more layers than the config → CHECKPOINT_MISMATCH naming the extra layer', async () => {
    const dir = await singleFile(allTensors(expectedShapes(3)));
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes(2)), 'CHECKPOINT_MISMATCH');
    expect(err.message).toContain('model.layers.2');
    expect(err.message).toContain('num_hidden_layers');
  });

  it('a quantised (I8) tensor → CHECKPOINT_MISMATCH naming the dtype', async () => {
    const tensors = allTensors().map((t) =>
      t.name === 'model.norm.weight' ? { name: t.name, dtype: 'I8' as const, shape: [4], data: new Int8Array(4) } : t);
    const dir = await singleFile(tensors);
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes()), 'CHECKPOINT_MISMATCH');
    expect(err.message).toContain('model.norm.weight');
    expect(err.message).toContain('I8');
  });

  it('no weights at all → FILE_NOT_FOUND naming the folder and the files looked for', async () => {
    const dir = path.join(root, 'nothing');
    fs.mkdirSync(dir);
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes()), 'FILE_NOT_FOUND');
    expect(err.message).toContain(dir);
    expect(err.message).toContain('model.safetensors');
    expect(err.message).toContain('model.safetensors.index.json');
  });
});

describe('sharded index validation', () => {
  it('a shard listed in the index is missing → FILE_NOT_FOUND naming it', async () => {
    const dir = await sharded(allTensors());
    fs.rmSync(path.join(dir, 'model-00002-of-00002.safetensors'));
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes()), 'FILE_NOT_FOUND');
    expect(err.message).toContain('model-00002-of-00002.safetensors');
  });

  it('the index puts a tensor in the wrong shard → SAFETENSORS_INVALID', async () => {
    const dir = await sharded(allTensors(), (m) => {
      m['lm_head.weight'] = m['lm_head.weight'] === 'model-00001-of-00002.safetensors'
        ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors';
    });
    const err = await peftError(() => loadCheckpoint(dir, expectedShapes()), 'SAFETENSORS_INVALID');
    expect(err.message).toContain('"lm_head.weight"');
    expect(err.message).toContain('model.safetensors.index.json');
  });

  it('the index lists a tensor no shard has → SAFETENSORS_INVALID', async () => {
    const dir = await sharded(allTensors(), (m) => {
      m['model.ghost.weight'] = 'model-00001-of-00002.safetensors';
    });
    const err = await peftError(() => listCheckpointTensors(dir), 'SAFETENSORS_INVALID');
    expect(err.message).toContain('"model.ghost.weight"');
  });

  it('a shard holds a tensor the index does not list → SAFETENSORS_INVALID', async () => {
    const dir = await sharded(allTensors(), (m) => {
      delete m['model.norm.weight'];
    });
    const err = await peftError(() => listCheckpointTensors(dir), 'SAFETENSORS_INVALID');
    expect(err.message).toContain('"model.norm.weight"');
  });

  it('an index without weight_map, or with a path outside the folder → SAFETENSORS_INVALID', async () => {
    const dir = await sharded(allTensors());
    const index = path.join(dir, 'model.safetensors.index.json');
    fs.writeFileSync(index, JSON.stringify({ metadata: {} }));
    expect((await peftError(() => listCheckpointTensors(dir), 'SAFETENSORS_INVALID')).message).toContain('weight_map');
    fs.writeFileSync(index, JSON.stringify({ weight_map: { 'model.norm.weight': '../model.safetensors' } }));
    expect((await peftError(() => listCheckpointTensors(dir), 'SAFETENSORS_INVALID')).message).toContain('../model.safetensors');
    fs.writeFileSync(index, '{"weight_map": ');
    expect((await peftError(() => listCheckpointTensors(dir), 'SAFETENSORS_INVALID')).message).toContain(index);
  });
});
