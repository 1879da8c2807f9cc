// A whole supervised fine-tuning run from a run spec: backend, data, model, adapter, AdamW, schedule, periodic
// validation and checkpoints, resume, and the final adapter in PEFT's format. Emits TrainEvents as it goes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RunSpec } from '../../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import { PeftLabError, errorToWire } from '../../../src-shared/errors';
import { adapterMethod } from '../adapters/index';
import { saveAdapter } from '../adapters/io';
import type { InjectedAdapter } from '../adapters/types';
import { useBackend } from '../backends/index';
import type { BackendInfo } from '../backends/index';
import { writeJsonAtomic } from '../files';
import { storageError } from '../storage-errors';
import { stepPause } from '../fault-hook';
import { nextTurn } from '../event-loop';
import type { CausalLM } from '../model/causal-lm';
import { loadModel } from '../model/load';
import { TextTokenizer } from '../model/tokenizer';
import { planParameters } from '../plan/params';
import type { BaseWeightReport } from '../quant/measure';
import { measureBaseWeights } from '../quant/measure';
import { BatchIterator } from './batching';
import { TokenCharCounter } from './char-accuracy';
import { latestCheckpoint, pruneCheckpoints, removeStaleTemps, restoreTrainerCheckpoint, saveTrainerCheckpoint, specHash } from './checkpoint';
import type { TrainerState } from './checkpoint';
import type { PreparedData } from './data-prep';
import { prepareData } from './data-prep';
import { evaluateLoss } from './evaluate';
import { AdamW } from './optimizer';
import { lrMultiplier, warmupSteps } from './schedule';
import { trainStep, uniqueParams } from './step';

export interface TrainOptions {
  /** Folder relative paths of the spec are resolved against. */
  specDir: string;
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
  /** Continue from the newest checkpoint in the output folder, if there is one. */
  resume?: boolean;
  /** With resume: the newest checkpoint of this update or earlier (the last update whose metrics the host stored). */
  resumeAtMost?: number;
  /** Checkpoints kept on disk (newest first); default 3. */
  keepCheckpoints?: number;
}

export interface TrainResult {
  adapterDir: string;
  steps: number;
  finalLoss: number | null;
  valLoss: number | null;
  backend: BackendInfo;
}

interface Run {
  spec: RunSpec;
  o: TrainOptions;
  output: string;
  modelDir: string;
  backend: BackendInfo;
  model: CausalLM;
  adapter: InjectedAdapter;
  optimizer: AdamW;
  data: PreparedData;
  iterator: BatchIterator;
  maxSteps: number;
  warmup: number;
  step: number;
  lastLoss: number | null;
  /** The frozen base's memory, measured from its tensors before the adapter was injected. */
  baseWeights: BaseWeightReport;
  /** Decodes predicted tokens for the validation's character accuracy. */
  tokenizer: TextTokenizer;
}

export async function runTraining(spec: RunSpec, o: TrainOptions): Promise<TrainResult> {
  const emit = o.onEvent ?? (() => undefined);
  const backend = await useBackend(spec.backend);
  const modelDir = path.resolve(o.specDir, spec.model);
  const output = path.resolve(o.specDir, spec.output);
  const tok = await TextTokenizer.fromDir(modelDir);
  const data = await prepareData(spec, o.specDir, tok); // data errors surface before the weights are read
  const model = await loadModel(modelDir, { base: spec.base });
  const baseWeights = measureBaseWeights(model);
  let run: Run | null = null;
  try {
    if (tok.vocabSize > model.config.vocabSize) {
      throw new PeftLabError('CONFIG_INVALID',
        `${modelDir}: tokenizer.json has ${tok.vocabSize} tokens but config.json vocab_size is ${model.config.vocabSize}; they belong to different models`);
    }
    run = await setUp(spec, o, { output, backend, model, data, modelDir, baseWeights }, tok);
    return await trainLoop(run, emit);
  } catch (e) {
    const err = storageError(e, output, 'resume the run: it continues from its last complete checkpoint');
    emit({ type: 'failed', step: run?.step ?? 0, error: errorToWire(err) });
    throw err;
  } finally {
    run?.optimizer.dispose();
    run?.adapter.remove();
    model.dispose();
  }
}

async function setUp(spec: RunSpec, o: TrainOptions, base: Pick<Run, 'output' | 'backend' | 'model' | 'data' | 'modelDir' | 'baseWeights'>, tok: TextTokenizer): Promise<Run> {
  const method = adapterMethod(spec.method.method);
  const cfg = method.parseConfig(spec.method, 'method');
  if (method.oneExamplePerRow && spec.sequence.packing) {
    throw new PeftLabError('SPEC_INVALID', `method.method: ${method.name} tuning puts its virtual tokens in front of each row, so it needs one example per row; set sequence.packing to false`);
  }
  const adapter = method.inject(base.model, cfg, { seed: spec.training.seed, tokenizer: tok });
  const t = spec.training;
  const optimizer = new AdamW(uniqueParams(adapter.trainables()), { beta1: t.adamBeta1, beta2: t.adamBeta2, eps: t.adamEpsilon, weightDecay: t.weightDecay });
  let iterator = new BatchIterator(base.data.train, base.data.batchOptions);
  const maxSteps = t.maxSteps ?? Math.ceil((iterator.batchesInEpoch(0) * (t.epochs ?? 1)) / t.gradientAccumulation);
  const run: Run = {
    spec, o, ...base, adapter, optimizer, iterator, maxSteps, tokenizer: tok,
    warmup: warmupSteps(maxSteps, t.warmupSteps, t.warmupRatio), step: 0, lastLoss: null,
  };
  removeStaleTemps(base.output); // what a killed earlier attempt left half-written is never read
  const ck = o.resume ? latestCheckpoint(base.output, o.resumeAtMost) : null;
  if (ck) {
    if (ck.state.specHash !== specHash(spec)) {
      throw new PeftLabError('RESUME_MISMATCH',
        `${ck.dir}: this checkpoint was written by a run with different settings (spec hash ${ck.state.specHash}, now ${specHash(spec)}); ` +
        'resume with the original spec, or use a new output folder to start afresh');
    }
    await restoreTrainerCheckpoint(ck.dir, ck.state, adapter, optimizer);
    iterator = BatchIterator.restore(base.data.train, base.data.batchOptions, ck.state.iterator);
    Object.assign(run, { iterator, step: ck.state.step, lastLoss: ck.state.lastLoss });
  }
  return run;
}

async function trainLoop(run: Run, emit: (e: TrainEvent) => void): Promise<TrainResult> {
  const { spec, model, data } = run;
  const t = spec.training;
  const started = performance.now();
  const report = planParameters(model, run.adapter.method, run.adapter.config);
  const resumedFrom = run.step > 0 ? run.step : null;
  emit({
    type: 'start', backend: run.backend.name, device: run.backend.device,
    trainExamples: data.train.length, validationExamples: data.validation.length,
    trainableParams: report.trainable, allParams: report.all, maxSteps: run.maxSteps, resumedFrom,
    truncated: data.trainStats.truncated, dropped: data.trainStats.droppedNoTarget,
    baseFormat: run.baseWeights.format, baseWeightBytes: run.baseWeights.bytes, baseBitsPerWeight: run.baseWeights.bitsPerWeight,
  });
  fs.mkdirSync(run.output, { recursive: true });
  await writeJsonAtomic(path.join(run.output, 'run_info.json'), {
    spec, backend: run.backend, tfjs: tf.version_core, parameters: { trainable: report.trainable, all: report.all, line: report.line },
    baseWeights: run.baseWeights,
    // The malloc settings this process started with (malloc-tunables.ts): they move speed, so they are recorded.
    glibcTunables: process.env.GLIBC_TUNABLES ?? null,
  });
  const stopAt = Math.min(run.maxSteps, t.stopAfter ?? Infinity);
  let lastCheckpointStep = -1;
  let valLoss: number | null = null;
  while (run.step < stopAt) {
    if (run.o.signal?.aborted) {
      await checkpoint(run, emit);
      throw new PeftLabError('CANCELLED', `run stopped at update ${run.step}; resume continues from there`);
    }
    const lr = t.learningRate * lrMultiplier(t.schedule, run.step, run.warmup, run.maxSteps);
    const batches = Array.from({ length: t.gradientAccumulation }, () => run.iterator.next());
    const t0 = performance.now();
    const r = await trainStep(model, uniqueParams(run.adapter.trainables()), run.optimizer, batches, {
      step: run.step, lr, seed: t.seed, maxGradNorm: t.maxGradNorm, gradientCheckpointing: t.gradientCheckpointing,
    });
    const seconds = (performance.now() - t0) / 1000;
    run.step += 1;
    run.lastLoss = r.loss;
    // Methods that change themselves during training (ReMoRA's merge + restart) may ask for a fresh optimizer.
    if (run.adapter.onStepEnd?.(run.step)?.resetOptimizer) {
      for (const v of run.optimizer.stateTensors().values()) tf.tidy(() => v.assign(tf.zerosLike(v)));
      run.optimizer.t = 0;
    }
    const it = run.iterator.state();
    const epoch = it.epoch + it.cursor / data.train.length; // fractional, as the HF Trainer reports it
    emit({ type: 'step', step: run.step, loss: r.loss, lr, gradNorm: r.gradNorm, tokens: r.tokens, tokensPerSecond: r.tokens / seconds, epoch, seconds });
    await stepPause(); // test hook (engine/fault-hook.ts); nothing unless PEFT_LAB_STEP_DELAY_MS is set
    // Without a turn of the event loop per update a SIGTERM/SIGINT handler or the host's stop message waited for the
    // next file write (found by the CLI test that stops `peft-lab train`: 100k updates ran past the signal).
    await nextTurn();
    if (t.evalEvery > 0 && run.step % t.evalEvery === 0 && run.step < stopAt) valLoss = await evaluate(run, emit);
    if (t.checkpointEvery > 0 && run.step % t.checkpointEvery === 0) {
      await checkpoint(run, emit);
      lastCheckpointStep = run.step;
    }
  }
  if (data.validation.length) valLoss = await evaluate(run, emit);
  if (lastCheckpointStep !== run.step) await checkpoint(run, emit);
  await saveAdapter(run.output, run.adapter, model, spec.model, run.modelDir);
  const seconds = (performance.now() - started) / 1000;
  emit({ type: 'finished', step: run.step, adapterPath: run.output, finalLoss: run.lastLoss, valLoss, seconds });
  return { adapterDir: run.output, steps: run.step, finalLoss: run.lastLoss, valLoss, backend: run.backend };
}

async function evaluate(run: Run, emit: (e: TrainEvent) => void): Promise<number> {
  const tok = run.tokenizer;
  const special = new Set([tok.bosId, tok.eosId, tok.padId].filter((id): id is number => id !== null));
  const chars = new TokenCharCounter((id) => tok.decode([id]), special);
  const r = await evaluateLoss(run.model, run.data.validation, run.data.batchOptions, (p, t) => chars.add(p, t));
  const charAccuracy = Number.isNaN(chars.accuracy) ? undefined : chars.accuracy;
  emit({ type: 'eval', step: run.step, valLoss: r.loss, valPerplexity: r.perplexity, tokens: r.tokens, ...(charAccuracy === undefined ? {} : { charAccuracy }) });
  return r.loss;
}

async function checkpoint(run: Run, emit: (e: TrainEvent) => void): Promise<void> {
  const state: TrainerState = {
    version: 1, step: run.step, optimizerStep: run.optimizer.t, iterator: run.iterator.state(),
    specHash: specHash(run.spec), lastLoss: run.lastLoss, backend: run.backend.name, savedAt: new Date().toISOString(),
  };
  const dir = await saveTrainerCheckpoint(run.output, state, run.adapter, run.optimizer, run.model, run.spec.model);
  pruneCheckpoints(run.output, run.o.keepCheckpoints ?? 3);
  emit({ type: 'checkpoint', step: run.step, path: dir });
}
