// The check before a run: each reason a model cannot train comes back as one clear message (no weights, no
// tokenizer, weights that do not match config.json, an unsupported architecture, target modules this architecture
// lacks, listing the ones it has), in the pre-flight's warnings, as a refused launch, and from `peft-lab train`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MethodConfigSchema } from '../../src-shared/domain/methods';
import { train } from '../../src-main/cli/actions/train';
import { readModelInfo } from '../../src-main/engine/model/load';
import { methodProblem, modelRunProblems } from '../../src-main/sweep/model-check';
import { startHost, tinySweep } from '../host/helpers';
import { tinyModelFolder } from './hub-fixture';


const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-compat-'));
let good = '';
beforeAll(async () => {
  good = await tinyModelFolder(path.join(root, 'good'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function variant(name: string, change: (dir: string) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(good, dir, { recursive: true });
  change(dir);
  return dir;
}

function editConfig(dir: string, patch: Record<string, unknown>): void {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...patch }));
}

describe('model checks', () => {
  it('passes a complete folder', async () => {
    expect((await modelRunProblems(good)).problems).toEqual([]);
  });

  it('names each problem of a folder that cannot train', async () => {
    const card = variant('card', (d) => fs.rmSync(path.join(d, 'model.safetensors')));
    expect((await modelRunProblems(card)).problems).toEqual([expect.stringContaining(`${card} has a config.json but no weights`)]);
    const noTok = variant('no-tok', (d) => fs.rmSync(path.join(d, 'tokenizer.json')));
    expect((await modelRunProblems(noTok)).problems).toEqual([`${noTok} has no tokenizer.json, which training needs to turn the dataset into tokens; add the tokenizer files of this model (a Hub download includes them)`]);
    const wide = variant('wide', (d) => editConfig(d, { intermediate_size: 96 }));
    expect((await modelRunProblems(wide)).problems).toEqual([`${wide}: tensor model.layers.0.mlp.gate_proj.weight has shape [64, 32] but config.json implies [96, 32]`]);
    const gpt2 = variant('gpt2', (d) => editConfig(d, { model_type: 'gpt2' }));
    expect((await modelRunProblems(gpt2)).problems).toEqual([expect.stringContaining('field "model_type" is "gpt2", which PEFT Lab does not support. Supported model types: llama, mistral, qwen2')]);
  });

  it('lists the modules the architecture has when a method targets others', async () => {
    const info = await readModelInfo(good);
    const lora = MethodConfigSchema.parse({ method: 'lora', r: 4, targetModules: ['c_attn', 'q_proj'] });
    expect(methodProblem(info, lora, 'method')).toBe('method.targetModules: "c_attn" matches no linear module of this model; its linear modules are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head (full names like model.layers.0.self_attn.q_proj), or use "all-linear"');
    expect(methodProblem(info, MethodConfigSchema.parse({ method: 'lora', r: 4, targetModules: ['q_proj'] }), 'method')).toBeNull();
  });
});

describe('before a run', () => {
  it('shows the problem in the pre-flight and refuses to launch', async () => {
    const noTok = variant('sweep-no-tok', (d) => fs.rmSync(path.join(d, 'tokenizer.json')));
    const data = path.join(root, 'data.jsonl');
    fs.writeFileSync(data, Array.from({ length: 8 }, (_, i) => JSON.stringify({ instruction: `n ${i}`, output: `${i}` })).join('\n'));
    const H = await startHost(path.join(root, 'host'));
    try {
      const spec = tinySweep({ modelDir: noTok, dataFile: data });
      const pf = await H.client.request('sweeps/preflight', { spec });
      expect(pf.warnings).toContain(`cannot train: ${noTok} has no tokenizer.json, which training needs to turn the dataset into tokens; add the tokenizer files of this model (a Hub download includes them)`);
      await expect(H.client.request('sweeps/create', { spec, launch: true })).rejects.toThrow(`the model cannot be trained: ${noTok} has no tokenizer.json`);
      expect(await H.client.request('sweeps/list', {})).toEqual([]);
    } finally {
      await H.close();
    }
  });

  it('makes `peft-lab train` refuse before training, naming the modules', async () => {
    const spec = path.join(root, 'run.json');
    fs.writeFileSync(spec, JSON.stringify({
      model: good, dataset: { path: path.join(root, 'data.jsonl') }, template: { kind: 'custom', prompt: '{instruction}\n', response: '{output}' },
      sequence: { maxLength: 32 }, method: { method: 'lora', r: 2, targetModules: ['query_key_value'] }, training: { maxSteps: 2, batchSize: 2 },
      output: path.join(root, 'out'), backend: 'cpu',
    }));
    // The train command's action, in this process (a spawned CLI costs ~15 s of start-up here).
    await expect(train({ spec })).rejects.toThrow('the model cannot be trained: method.targetModules: "query_key_value" matches no linear module of this model; its linear modules are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head');
    expect(fs.existsSync(path.join(root, 'out'))).toBe(false);
  });
});
