// Adapter folders written by hand from the spec's layout (peft-spec §3.5, §4, §6.3, §7.4) — the safetensors header
// JSON spelled out here, the bytes assembled here, not by the project's writer — load onto a tiny model and merge
// into the weights computed by hand from the formulas.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAdapter } from '../../../src-main/engine/adapters/io';
import type { InjectedAdapter } from '../../../src-main/engine/adapters/types';
import type { CausalLM } from '../../../src-main/engine/model/causal-lm';
import type { FrozenLinear } from '../../../src-main/engine/model/linear';
import { loadModel } from '../../../src-main/engine/model/load';
import { describeEachBackend, toArray } from '../../helpers/backends';
import type { TinyModel } from '../../helpers/tiny-model';
import { writeTinyModel } from '../../helpers/tiny-model';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-files-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** safetensors: u64 LE header length, the header JSON space-padded to a multiple of 8, then the F32 LE data in order. */
function safetensorsBytes(header: string, data: number[][]): Buffer {
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  const body = Buffer.alloc(data.reduce((s, d) => s + 4 * d.length, 0));
  let at = 0;
  for (const d of data) for (const v of d) at = body.writeFloatLE(v, at);
  return Buffer.concat([len, Buffer.from(padded, 'ascii'), body]);
}

function writeAdapter(name: string, config: string, header: string, data: number[][]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'adapter_config.json'), config);
  fs.writeFileSync(path.join(dir, 'adapter_model.safetensors'), safetensorsBytes(header, data));
  return dir;
}

/** The base weight (m, n) of a module as the model now holds it. */
async function weight(model: CausalLM, module: string): Promise<number[]> {
  const layer = model.getLinear(module) as unknown as { base?: FrozenLinear };
  const w = ((layer.base ?? layer) as FrozenLinear).weight.materialize();
  const out = await toArray(w);
  w.dispose();
  return out;
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

describeEachBackend('hand-written PEFT adapter files', () => {
  // Tiny llama: H 16, I 40, 2 layers, 4 heads of 4, 2 kv heads: k/v 16→8, down 40→16. W is (out, in), row-major.
  let tiny: TinyModel;
  beforeAll(async () => {
    tiny = await writeTinyModel(path.join(root, `model-${Math.random()}`), { seed: 13 });
  });
  const original = (name: string) => Array.from(tiny.weights.get(`${name}.weight`)!.data);

  async function loadMergeCheck(dir: string, method: string, expected: Record<string, number[]>): Promise<void> {
    const model = await loadModel(tiny.dir);
    let adapter: InjectedAdapter | null = null;
    try {
      adapter = await loadAdapter(dir, model);
      expect(adapter.method.name).toBe(method);
      const ids = Int32Array.from([3, 1, 4, 1, 5, 9]);
      const run = async () => {
        const t = model.logits({ inputIds: ids, batchSize: 1, seqLen: ids.length });
        const d = await toArray(t);
        t.dispose();
        return d;
      };
      const unmerged = await run();
      adapter.merge();
      for (const [module, w] of Object.entries(expected)) expect(maxDiff(await weight(model, module), w), module).toBeLessThan(1e-6);
      expect(maxDiff(await run(), unmerged)).toBeLessThan(1e-4);
    } finally {
      adapter?.remove();
      model.dispose();
    }
  }

  it('MoRA type 1 (the fork\'s LoRA config with use_mora; lora_A and lora_B both hold M)', async () => {
    // v_proj of layer 0 only: n = 16, m = 8, r = 1 → r̂ = ⌊√24 + 0.5⌋ = ⌊4.899 + 0.5⌋ = 5; Bk = 4 chunks, p = 4.
    // M (5, 5) is zero except M[1][1] = 0.5 and M[3][0] = −2. Type 1: ΔW[t, j] = Σ_{i<20, i mod 16 = j} M[t mod 5][i mod 5]:
    //   M[1][1]: rows t mod 5 = 1 → t = 1, 6; i mod 5 = 1 → i = 1, 6, 11, 16 → columns 1, 6, 11, 0 (16 wraps to 0): +0.5.
    //   M[3][0]: rows t = 3; i = 0, 5, 10, 15 → columns 0, 5, 10, 15: −2.
    const M = new Array(25).fill(0);
    M[1 * 5 + 1] = 0.5;
    M[3 * 5 + 0] = -2;
    const config = `{
  "base_model_name_or_path": "tiny",
  "bias": "none",
  "fan_in_fan_out": false,
  "inference_mode": true,
  "layers_to_transform": [
    0
  ],
  "lora_alpha": 16,
  "lora_dropout": 0.05,
  "mora_type": 1,
  "peft_type": "LORA",
  "r": 1,
  "target_modules": [
    "v_proj"
  ],
  "task_type": "CAUSAL_LM",
  "use_dora": false,
  "use_mora": true
}`;
    const header = '{"__metadata__":{"format":"pt"},' +
      '"base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight":{"dtype":"F32","shape":[5,5],"data_offsets":[0,100]},' +
      '"base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight":{"dtype":"F32","shape":[5,5],"data_offsets":[100,200]}}';
    const dir = writeAdapter('mora', config, header, [M, M]);
    const v0 = original('model.layers.0.self_attn.v_proj');
    for (const [t, cols, value] of [[1, [0, 1, 6, 11], 0.5], [6, [0, 1, 6, 11], 0.5], [3, [0, 5, 10, 15], -2]] as const) {
      for (const j of cols) v0[t * 16 + j] += value;
    }
    await loadMergeCheck(dir, 'mora', {
      'model.layers.0.self_attn.v_proj': v0,
      'model.layers.1.self_attn.v_proj': original('model.layers.1.self_attn.v_proj'), // not targeted
    });
  });

  it('LoRA r=1 on layer 0\'s q_proj (regex target), alpha 2: ΔW = 2·B·A', async () => {
    // A (1, 16): A[j] = (j − 7.5)/10; B (16, 1): B[t] = (t + 1)/16; scaling = lora_alpha / r = 2.
    const A = Array.from({ length: 16 }, (_, j) => (j - 7.5) / 10);
    const B = Array.from({ length: 16 }, (_, t) => (t + 1) / 16);
    const config = `{
  "base_model_name_or_path": "tiny",
  "bias": "none",
  "fan_in_fan_out": false,
  "inference_mode": true,
  "init_lora_weights": true,
  "lora_alpha": 2,
  "lora_dropout": 0.0,
  "peft_type": "LORA",
  "r": 1,
  "target_modules": "model\\\\.layers\\\\.0\\\\.self_attn\\\\.q_proj",
  "task_type": "CAUSAL_LM",
  "use_rslora": false
}`;
    // lora_A (1·16·4 = 64 bytes) sorts before lora_B (16·1·4 = 64 bytes).
    const header = '{"__metadata__":{"format":"pt"},' +
      '"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight":{"dtype":"F32","shape":[1,16],"data_offsets":[0,64]},' +
      '"base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight":{"dtype":"F32","shape":[16,1],"data_offsets":[64,128]}}';
    const dir = writeAdapter('lora', config, header, [A, B]);
    const q0 = original('model.layers.0.self_attn.q_proj');
    await loadMergeCheck(dir, 'lora', {
      'model.layers.0.self_attn.q_proj': q0.map((w, i) => w + 2 * B[Math.floor(i / 16)] * A[i % 16]), // W[t, j] + s·B[t]·A[j]
      'model.layers.1.self_attn.q_proj': original('model.layers.1.self_attn.q_proj'), // the regex leaves layer 1 alone
    });
  });

  it('IA3 (k_proj output scales (8, 1), down_proj feed-forward input scales (1, 40))', async () => {
    // Layer 0: l_k[t] = t + 1 scales row t of W_k; l_down[j] = (j mod 4) + 1 scales column j of W_down.
    // Layer 1: l_k = 1 except l_k[0] = 3; l_down = 1 except l_down[39] = −1.
    const k0 = Array.from({ length: 8 }, (_, t) => t + 1);
    const d0 = Array.from({ length: 40 }, (_, j) => (j % 4) + 1);
    const k1 = [3, 1, 1, 1, 1, 1, 1, 1];
    const d1 = [...new Array(39).fill(1), -1];
    const config = `{
  "auto_mapping": null,
  "base_model_name_or_path": "tiny",
  "fan_in_fan_out": false,
  "feedforward_modules": [
    "down_proj"
  ],
  "inference_mode": true,
  "init_ia3_weights": true,
  "modules_to_save": null,
  "peft_type": "IA3",
  "revision": null,
  "target_modules": [
    "k_proj",
    "down_proj"
  ],
  "task_type": "CAUSAL_LM"
}`;
    // Byte order of names, as the Rust writer sorts them; k: 8·4 = 32 bytes, down: 40·4 = 160 bytes.
    const header = '{"__metadata__":{"format":"pt"},' +
      '"base_model.model.model.layers.0.mlp.down_proj.ia3_l":{"dtype":"F32","shape":[1,40],"data_offsets":[0,160]},' +
      '"base_model.model.model.layers.0.self_attn.k_proj.ia3_l":{"dtype":"F32","shape":[8,1],"data_offsets":[160,192]},' +
      '"base_model.model.model.layers.1.mlp.down_proj.ia3_l":{"dtype":"F32","shape":[1,40],"data_offsets":[192,352]},' +
      '"base_model.model.model.layers.1.self_attn.k_proj.ia3_l":{"dtype":"F32","shape":[8,1],"data_offsets":[352,384]}}';
    const dir = writeAdapter('ia3', config, header, [d0, k0, d1, k1]);
    const rows = (w: number[], l: number[], n: number) => w.map((x, i) => x * l[Math.floor(i / n)]); // W[t, j]·l[t]
    const cols = (w: number[], l: number[], n: number) => w.map((x, i) => x * l[i % n]); // W[t, j]·l[j]
    await loadMergeCheck(dir, 'ia3', {
      'model.layers.0.self_attn.k_proj': rows(original('model.layers.0.self_attn.k_proj'), k0, 16),
      'model.layers.0.mlp.down_proj': cols(original('model.layers.0.mlp.down_proj'), d0, 40),
      'model.layers.1.self_attn.k_proj': rows(original('model.layers.1.self_attn.k_proj'), k1, 16),
      'model.layers.1.mlp.down_proj': cols(original('model.layers.1.mlp.down_proj'), d1, 40),
      'model.layers.0.self_attn.v_proj': original('model.layers.0.self_attn.v_proj'), // not targeted
    });
  });
}, { backends: ['cpu', 'wasm', 'webgpu'] });
