// Generation figures of one backend (issue #8, target 6), on the bench's reference model (bench-model.ts), one process per backend:
//  1. at 256 tokens of context, the engine's KV-cached generate() against recomputing the whole prefix for every
//     new token (the same forward, no cache, greedy): seconds per new token of each, the ratio (target ≥ 5×), and
//     a check that both produced the same tokens.
//  2. review generation for N runs: src-main/review/generation-plan.ts puts every run that shares a base (model
//     folder and base storage) into one GenerateJob, and src-main/worker/generate-job.ts loads that base once
//     (loadModel) and switches the runs' adapters on it (AdapterLibrary). Timed here with those engine functions:
//     N = 4 LoRA adapters answered on one loaded base vs the base loaded again for each adapter.
// `bench-generate-child.ts BACKEND` prints one JSON line (run in its own process by bench-generate.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { adapterMethod } from '../src-main/engine/adapters/index';
import { saveAdapter } from '../src-main/engine/adapters/io';
import { AdapterLibrary } from '../src-main/engine/adapters/library';
import type { BackendName } from '../src-main/engine/backends/index';
import { useBackend } from '../src-main/engine/backends/index';
import { GREEDY, generate } from '../src-main/engine/generate/generate';
import { sampleToken } from '../src-main/engine/generate/sampling';
import type { CausalLM } from '../src-main/engine/model/causal-lm';
import { INFERENCE } from '../src-main/engine/model/linear';
import { architectureFor } from '../src-main/engine/model/architectures/registry';
import { parseModelConfig } from '../src-main/engine/model/config';
import { loadModel } from '../src-main/engine/model/load';
import { writeSafetensorsFile } from '../src-main/engine/model/safetensors';
import { Rng } from '../src-main/engine/rng';
import { CONTEXT } from './bench-generate';
import { CONFIG, R, TARGETS, median, randomModel } from './bench-model';

const N_ADAPTERS = 4;
/** Tokens each adapter answers with in the review comparison: few, so that what differs (base loads) is not drowned in decoding. */
const REVIEW_NEW_TOKENS = 8;

export interface GenerateBench {
  backend: string;
  device: string;
  repeats: number;
  context: number;
  newTokens: number;
  /** KV cache: seconds per new token after the first (one cached step each), and the prefill (first token). */
  cachedSecondsPerToken: number;
  prefillSeconds: number;
  /** No cache: seconds per new token, each a forward over the whole sequence so far. */
  recomputeSecondsPerToken: number;
  /** recompute / cached, per token; median over the repeats of each repeat's ratio. */
  ratio: number;
  sameTokens: boolean;
  review: {
    adapters: number;
    promptTokens: number;
    newTokens: number;
    /** Size of the base's model.safetensors. */
    baseFileBytes: number;
    /** loadModel alone (read + tensors created). */
    baseLoadSeconds: number;
    /** A fresh base's first answer minus the same answer again: the weights uploaded/packed at first use. */
    firstUseSeconds: number;
    adapterLoadSeconds: number;
    /** AdapterLibrary.activate: one adapter switched in for another. */
    switchSeconds: number;
    /** Load the base once, load every adapter into an AdapterLibrary, answer with each (generate-job.ts). */
    oneBaseSeconds: number;
    /** Load the base again for each adapter. */
    basePerAdapterSeconds: number;
    /** Median over the repeats of (base per adapter − one base), each pair timed back to back. */
    savedSeconds: number;
  };
}

/** Logits of the last position, from a forward over all of `ids` without a cache (stepLogits of generate.ts, uncached). */
async function fullForwardLogits(model: CausalLM, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => {
    const h = model.hidden({ inputIds: Int32Array.from(ids), batchSize: 1, seqLen: ids.length }); // (T, H)
    const last = h.slice([ids.length - 1, 0], [1, -1]) as tf.Tensor2D; // (1, H)
    return model.lmHead.forward(last, INFERENCE); // (1, V)
  });
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

async function cached(model: CausalLM, prompt: number[], n: number): Promise<{ ids: number[]; perToken: number; prefill: number }> {
  const times: number[] = [];
  const t0 = performance.now();
  const r = await generate(model, prompt, { ...GREEDY, maxNewTokens: n, eosTokenIds: [] }, { onToken: () => times.push(performance.now()) });
  return { ids: r.ids, prefill: (times[0] - t0) / 1000, perToken: (times[n - 1] - times[0]) / 1000 / (n - 1) };
}

async function recompute(model: CausalLM, prompt: number[], n: number): Promise<{ ids: number[]; perToken: number }> {
  const seq = [...prompt];
  const ids: number[] = [];
  const rng = new Rng(0);
  const t0 = performance.now();
  while (ids.length < n) {
    const next = sampleToken(await fullForwardLogits(model, seq), GREEDY, rng);
    ids.push(next);
    seq.push(next);
  }
  return { ids, perToken: (performance.now() - t0) / 1000 / n };
}

async function kvCacheVsRecompute(repeats: number, n: number): Promise<Pick<GenerateBench, 'cachedSecondsPerToken' | 'prefillSeconds' | 'recomputeSecondsPerToken' | 'ratio' | 'sameTokens'>> {
  const { config, model } = randomModel();
  const rng = new Rng(3);
  const prompt = Array.from({ length: CONTEXT }, () => Math.floor(rng.uniform() * config.vocabSize));
  await cached(model, prompt, n); // warm-up: kernels compiled for every shape that follows
  await recompute(model, prompt, n);
  const c: Awaited<ReturnType<typeof cached>>[] = [];
  const f: Awaited<ReturnType<typeof recompute>>[] = [];
  for (let i = 0; i < repeats; i++) {
    c.push(await cached(model, prompt, n));
    f.push(await recompute(model, prompt, n));
  }
  model.dispose();
  return {
    cachedSecondsPerToken: median(c.map((x) => x.perToken)), prefillSeconds: median(c.map((x) => x.prefill)),
    recomputeSecondsPerToken: median(f.map((x) => x.perToken)), ratio: median(c.map((x, i) => f[i].perToken / x.perToken)),
    sameTokens: c.every((x, i) => x.ids.join() === f[i].ids.join()),
  };
}

/** The reference model of randomModel() (same seed, same weights) as a Hugging Face folder: config.json + model.safetensors. */
async function writeReferenceFolder(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const config = parseModelConfig(CONFIG, 'bench config');
  const rng = new Rng(1);
  const tensors = [...architectureFor(config).expectedWeights(config)].map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { name, dtype: 'F32' as const, shape, data: name.endsWith('norm.weight') ? new Float32Array(n).fill(1) : rng.normalArray(n, 0.02) };
  });
  await writeSafetensorsFile(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], ...CONFIG }, null, 2));
}

/** Writes the reference model as a model folder and N LoRA adapters (r 8 on q,v, random non-zero weights). */
async function writeStudy(root: string): Promise<{ modelDir: string; adapterDirs: string[] }> {
  const modelDir = path.join(root, 'model');
  await writeReferenceFolder(modelDir);
  const { model } = randomModel();
  const method = adapterMethod('lora');
  const adapterDirs: string[] = [];
  for (let i = 0; i < N_ADAPTERS; i++) {
    const adapter = method.inject(model, method.parseConfig({ r: R, loraAlpha: 16, targetModules: TARGETS }, 'bench'), { seed: i + 1 });
    for (const v of adapter.trainables().values()) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.02, 'float32', i + 1)));
    const dir = path.join(root, `adapter-${i}`);
    await saveAdapter(dir, adapter, model, 'bench-reference');
    adapter.remove();
    adapterDirs.push(dir);
  }
  model.dispose();
  return { modelDir, adapterDirs };
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Time of `fn`, in seconds. */
async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return seconds(t0);
}

async function reviewGeneration(repeats: number): Promise<GenerateBench['review']> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-bench-generate-'));
  try {
    const { modelDir, adapterDirs } = await writeStudy(root);
    const prompt = Array.from({ length: 16 }, (_, i) => 10 + i);
    const opts = { ...GREEDY, maxNewTokens: REVIEW_NEW_TOKENS, eosTokenIds: [] };
    const one = { ...GREEDY, maxNewTokens: 1, eosTokenIds: [] };
    const parts = { load: [] as number[], firstUse: [] as number[], adapterLoad: [] as number[], switch: [] as number[] };
    // A fresh base: loadModel, then its first answer (weights uploaded/packed) against the same answer again.
    const loadAndFirstUse = async () => {
      let model: CausalLM | null = null;
      parts.load.push(await timed(async () => (model = await loadModel(modelDir))));
      const cold = await timed(() => generate(model!, prompt, one));
      parts.firstUse.push(cold - (await timed(() => generate(model!, prompt, one))));
      model!.dispose();
    };
    // generate-job.ts: one base, every adapter in a library, each activated in turn.
    const oneBase = async () => {
      const model = await loadModel(modelDir);
      const library = new AdapterLibrary(model);
      for (const [i, dir] of adapterDirs.entries()) parts.adapterLoad.push(await timed(() => library.load(`run-${i}`, dir)));
      for (const name of library.names()) {
        parts.switch.push(await timed(() => library.activate(name)));
        await generate(model, prompt, opts);
      }
      library.dispose();
      model.dispose();
    };
    // The alternative: the base loaded (and freed) again for each adapter.
    const perAdapter = async () => {
      for (const [i, dir] of adapterDirs.entries()) {
        const model = await loadModel(modelDir);
        const library = new AdapterLibrary(model);
        await library.load(`run-${i}`, dir);
        library.activate(`run-${i}`);
        await generate(model, prompt, opts);
        library.dispose();
        model.dispose();
      }
    };
    await oneBase(); // warm-up (file cache, kernels)
    await perAdapter();
    await loadAndFirstUse();
    for (const xs of Object.values(parts)) xs.length = 0;
    const oneTimes: number[] = [];
    const perTimes: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await loadAndFirstUse();
      oneTimes.push(await timed(oneBase));
      perTimes.push(await timed(perAdapter));
    }
    return {
      adapters: N_ADAPTERS, promptTokens: prompt.length, newTokens: REVIEW_NEW_TOKENS, baseFileBytes: fs.statSync(path.join(modelDir, 'model.safetensors')).size,
      baseLoadSeconds: median(parts.load), firstUseSeconds: median(parts.firstUse), adapterLoadSeconds: median(parts.adapterLoad), switchSeconds: median(parts.switch),
      oneBaseSeconds: median(oneTimes), basePerAdapterSeconds: median(perTimes), savedSeconds: median(perTimes.map((t, k) => t - oneTimes[k])),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const backend = process.argv[2] as BackendName;
  const info = await useBackend(backend);
  const repeats = backend === 'wasm' ? 5 : 3;
  const newTokens = backend === 'wasm' ? 32 : 16;
  const kv = await kvCacheVsRecompute(repeats, newTokens);
  const review = await reviewGeneration(backend === 'wasm' ? 7 : 3);
  const out: GenerateBench = { backend, device: info.device, repeats, context: CONTEXT, newTokens, ...kv, review };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1]?.endsWith('bench-generate-child.ts')) {
  try {
    await main();
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ backend: process.argv[2], error: (e as Error).message })}\n`);
    process.exitCode = 1;
  }
}
