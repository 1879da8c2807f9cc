// The `peft-lab` command as a person runs it: a real process per call (bin/peft-lab.js), help on every
// subcommand, clear errors for bad flags, JSON outputs, and train → generate with the adapter it wrote.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_EOS_ID, TINY_VOCAB_SIZE, writeTinyTokenizer } from '../helpers/tiny-tokenizer';
import { writeTinyModel } from '../helpers/tiny-model';

const BIN = path.resolve(__dirname, '../../bin/peft-lab.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-cli-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('help and bad flags', () => {
  it('has --help on the command and every subcommand', () => {
    const top = cli('--help');
    expect(top.code).toBe(0);
    for (const sub of ['plan', 'generate', 'train', 'perplexity', 'backends']) {
      expect(top.stdout).toContain(sub);
      const h = cli(sub, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: peft-lab ${sub}`);
    }
  });

  it('names an unknown flag, a bad value and a missing required option', () => {
    const unknown = cli('plan', '--model', 'x', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const bad = cli('plan', '--model', 'x', '--r', 'eight');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--r <n>' argument 'eight' is invalid");
    const missing = cli('generate', '--prompt', 'hi');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--model <dir>' not specified");
    const both = cli('generate', '--model', 'x', '--prompt', 'hi', '--prompt-ids', '1,2');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give exactly one of --prompt <text> and --prompt-ids <ids>');
  });

  it('reports a missing model folder as an error, not a crash', () => {
    const r = cli('plan', '--model', 'no-such-dir');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^peft-lab: error: model folder no-such-dir does not exist/);
  });
});

describe('plan', () => {
  it('prints PEFT\'s line for a config.json-only folder, as text and as JSON', () => {
    const dir = path.join(root, 'meta');
    fs.mkdirSync(dir);
    // H 64, I 160, 3 layers, 8 heads / 2 kv heads (head 8): q 64→64, v 64→16. r=4 on q,v: 3·(4·128 + 4·80) = 2,496.
    // Base: embed 100·64 = 6,400 (tied, once) + 3·(64·64·2 + 16·64·2 + 3·64·160 + 2·64) + 64 = 6,400 + 3·41,088 + 64 = 129,728.
    // trainable% = 100 · 2,496 / 132,224 = 1.8877 (Python f"{x:.4f}").
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
      model_type: 'llama', vocab_size: 100, hidden_size: 64, intermediate_size: 160, num_hidden_layers: 3,
      num_attention_heads: 8, num_key_value_heads: 2, tie_word_embeddings: true,
    }));
    const text = cli('plan', '--model', dir, '--r', '4', '--targets', 'q_proj,v_proj');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe('trainable params: 2,496 || all params: 132,224 || trainable%: 1.8877');
    const json = JSON.parse(cli('plan', '--model', dir, '--r', '4', '--targets', 'q_proj,v_proj', '--json').stdout);
    expect(json).toMatchObject({ trainableParams: 2496, allParams: 132224, baseParams: 129728, modules: 6 });
    expect(json.memory.totalBytes).toBeGreaterThan(json.memory.baseWeightBytes);
    const gc = JSON.parse(cli('plan', '--model', dir, '--r', '4', '--targets', 'q_proj,v_proj', '--json', '--gradient-checkpointing').stdout);
    expect(gc.memory).toMatchObject({ gradientCheckpointing: true, baseWeightBytes: json.memory.baseWeightBytes });
    expect(gc.memory.activationBytes).toBeLessThan(json.memory.activationBytes);
  });
});

describe('train → generate → perplexity', () => {
  let modelDir: string;
  beforeAll(async () => {
    modelDir = path.join(root, 'tiny');
    await writeTinyModel(modelDir, { vocabSize: TINY_VOCAB_SIZE, hiddenSize: 32, intermediateSize: 64, eosTokenId: TINY_EOS_ID, std: 0.4, seed: 5 });
    await writeTinyTokenizer(modelDir);
    fs.writeFileSync(path.join(root, 'data.jsonl'), [
      { instruction: 'Say hi.', output: 'hi' }, { instruction: 'Say bye.', output: 'bye' }, { instruction: 'Count to two.', output: '1 2' },
    ].map((r) => JSON.stringify(r)).join('\n'));
    fs.writeFileSync(path.join(root, 'run.json'), JSON.stringify({
      model: 'tiny', dataset: { path: 'data.jsonl', validationSplit: 0 }, template: { kind: 'alpaca' }, sequence: { maxLength: 256 },
      method: { method: 'lora', r: 8, loraAlpha: 16, targetModules: 'all-linear' },
      training: { maxSteps: 40, batchSize: 3, learningRate: 1e-2, schedule: 'constant', checkpointEvery: 20 },
      output: 'out', backend: 'wasm',
    }));
  });

  it('trains from a spec, printing JSON-lines events, and writes a PEFT adapter', () => {
    const r = cli('train', '--spec', 'run.json');
    expect(r.stderr).not.toContain('peft-lab: error');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'start', backend: 'wasm', trainExamples: 3, maxSteps: 40 });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(40);
    expect(steps[0]).toEqual(expect.objectContaining({ step: 1, loss: expect.any(Number), lr: 1e-2, tokensPerSecond: expect.any(Number) }));
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.step)).toEqual([20, 40]);
    expect(events[events.length - 1]).toMatchObject({ type: 'finished', step: 40 });
    expect(steps[39].loss).toBeLessThan(steps[0].loss / 10);
    const cfg = JSON.parse(fs.readFileSync(path.join(root, 'out', 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, task_type: 'CAUSAL_LM', inference_mode: true });
    expect(cfg.target_modules).toEqual(['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
    // On Linux bin/peft-lab.js starts training commands once more with the run workers' malloc settings.
    const info = JSON.parse(fs.readFileSync(path.join(root, 'out', 'run_info.json'), 'utf8'));
    if (process.platform === 'linux') expect(info.glibcTunables).toContain('glibc.malloc.hugetlb=1');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('train started again with the malloc settings: %s to the command stops the training at a checkpoint', async (sig) => {
    fs.writeFileSync(path.join(root, 'run-long.json'), JSON.stringify({
      ...JSON.parse(fs.readFileSync(path.join(root, 'run.json'), 'utf8')), training: { maxSteps: 100_000, batchSize: 3, learningRate: 1e-2, checkpointEvery: 100_000 }, output: `out-long-${sig}`,
    }));
    const child = spawn(process.execPath, [BIN, 'train', '--spec', 'run-long.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (!stdout.includes('"type":"step"')) await new Promise((r) => setTimeout(r, 50));
    child.kill(sig);
    const code = await exited;
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number });
    const lastStep = events.filter((e) => e.type === 'step').pop()!.step!;
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`run stopped at update ${lastStep}; resume continues from there`));
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.step)).toEqual([lastStep]);
    expect(lastStep).toBeLessThan(100_000);
  }, 120_000);

  it('train started again: when the command itself is killed, the training stops at a checkpoint instead of running on', async () => {
    fs.writeFileSync(path.join(root, 'run-orphan.json'), JSON.stringify({
      ...JSON.parse(fs.readFileSync(path.join(root, 'run.json'), 'utf8')), training: { maxSteps: 100_000, batchSize: 3, learningRate: 1e-2, checkpointEvery: 100_000 }, output: 'out-orphan',
    }));
    const parent = spawn(process.execPath, [BIN, 'train', '--spec', 'run-orphan.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    parent.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // The training process shares the pipe: it closes when that process exits, whatever became of its parent.
    const closed = new Promise<void>((resolve) => parent.stdout.on('close', () => resolve()));
    while (!stdout.includes('"type":"step"')) await new Promise((r) => setTimeout(r, 50));
    parent.kill('SIGKILL');
    await closed;
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number });
    const lastStep = events.filter((e) => e.type === 'step').pop()!.step!;
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.step)).toEqual([lastStep]);
    expect(lastStep).toBeLessThan(100_000);
  }, 120_000);

  it('train --gradient-checkpointing records the setting and trains to the same losses', () => {
    const short = (output: string) => JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(root, 'run.json'), 'utf8')), training: { maxSteps: 3, batchSize: 3, learningRate: 1e-2 }, output });
    fs.writeFileSync(path.join(root, 'run-plain.json'), short('out-plain'));
    fs.writeFileSync(path.join(root, 'run-gc.json'), short('out-gc'));
    const losses = (r: { stdout: string }) => r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'step').map((e) => e.loss as number);
    const plain = losses(cli('train', '--spec', 'run-plain.json'));
    const gc = cli('train', '--spec', 'run-gc.json', '--gradient-checkpointing');
    expect(gc.code).toBe(0);
    const info = JSON.parse(fs.readFileSync(path.join(root, 'out-gc', 'run_info.json'), 'utf8'));
    expect(info.spec.training.gradientCheckpointing).toBe(true);
    expect(plain).toHaveLength(3);
    losses(gc).forEach((x, i) => expect(Math.abs(x - plain[i])).toBeLessThanOrEqual(1e-5 * plain[i]));
  });

  it('generates the trained response with --adapter, and something else without it', () => {
    const args = ['generate', '--model', 'tiny', '--prompt', 'Say bye.', '--template', 'alpaca', '--max-new-tokens', '12', '--backend', 'wasm', '--json'];
    const tuned = JSON.parse(cli(...args, '--adapter', 'out').stdout);
    expect(tuned).toMatchObject({ text: 'bye', stopReason: 'eos', backend: 'wasm' });
    expect(tuned.ids[tuned.ids.length - 1]).toBe(TINY_EOS_ID);
    const base = JSON.parse(cli(...args).stdout);
    expect(base.text).not.toBe('bye');
    expect(base.ids).toHaveLength(12);
  });

  it('generates from --prompt-ids without a tokenizer; greedy output is deterministic', () => {
    const noTok = path.join(root, 'no-tokenizer');
    fs.mkdirSync(noTok);
    for (const f of ['config.json', 'model.safetensors']) fs.copyFileSync(path.join(modelDir, f), path.join(noTok, f));
    const a = JSON.parse(cli('generate', '--model', noTok, '--prompt-ids', '1,40,41', '--max-new-tokens', '5', '--backend', 'wasm', '--json').stdout);
    const b = JSON.parse(cli('generate', '--model', noTok, '--prompt-ids', '1,40,41', '--max-new-tokens', '5', '--backend', 'cpu', '--json').stdout);
    expect(a.text).toBeNull();
    expect(a.ids.length).toBeGreaterThan(0);
    expect(b.ids).toEqual(a.ids);
    const noText = cli('generate', '--model', noTok, '--prompt', 'hi', '--backend', 'wasm');
    expect(noText.code).toBe(1);
    expect(noText.stderr).toContain('has no tokenizer.json; use --prompt-ids');
  });

  it('measures perplexity, lower with the adapter', () => {
    const base = JSON.parse(cli('perplexity', '--model', 'tiny', '--dataset', 'data.jsonl', '--backend', 'wasm', '--json').stdout);
    const tuned = JSON.parse(cli('perplexity', '--model', 'tiny', '--adapter', 'out', '--dataset', 'data.jsonl', '--backend', 'wasm', '--json').stdout);
    expect(base.examples).toBe(3);
    expect(tuned.perplexity).toBeCloseTo(Math.exp(tuned.loss), 6);
    expect(tuned.loss).toBeLessThan(base.loss / 5);
  });
});
