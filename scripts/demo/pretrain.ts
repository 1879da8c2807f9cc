// Step 3 of the demo pipeline: the base model. A seeded random LLaMA (lib/init-model.ts) is fully trained on the
// pre-training text with PEFT Lab's own trainer (runTraining, method "full", wasm backend, one core), then the
// trained folder is copied to resources/demo/model with a model card.
// Run: npx tsx scripts/demo/pretrain.ts            (the whole run; resumes from the newest checkpoint)
//      PRETRAIN_MEASURE=20 npx tsx scripts/demo/pretrain.ts   (20 updates in a scratch folder: tokens/s only)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import { RunSpecSchema } from '../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../src-shared/domain/train-events';
import { runTraining } from '../../src-main/engine/train/trainer';
import { writeInitialModel } from './lib/init-model';
import { writeModelCard } from './lib/model-card';
import { INIT_SEED, MODEL_DIR, PRETRAIN_SEED, VOCAB_SIZE, WORK_DIR } from './lib/settings';

const PRETRAIN_TRAINING = {
  maxSteps: 1500, batchSize: 8, gradientAccumulation: 1, learningRate: 3e-3, schedule: 'cosine' as const,
  warmupSteps: 60, weightDecay: 0.01, maxGradNorm: 1, adamBeta1: 0.9, adamBeta2: 0.95, seed: PRETRAIN_SEED,
  evalEvery: 200, checkpointEvery: 100,
};
const PRETRAIN_SEQUENCE = { maxLength: 128, packing: true, lossOn: 'all' as const, addEos: true };

const measure = Number(process.env.PRETRAIN_MEASURE ?? 0);
const initDir = path.join(WORK_DIR, 'init');
const outDir = path.join(WORK_DIR, measure ? 'pretrain-measure' : 'pretrain-run');
if (measure) fs.rmSync(outDir, { recursive: true, force: true });
await writeInitialModel(initDir, VOCAB_SIZE, INIT_SEED, MODEL_DIR);
const spec: RunSpec = RunSpecSchema.parse({
  name: 'demo pre-training',
  model: initDir,
  dataset: { path: path.join(WORK_DIR, 'pretrain.jsonl'), validationPath: path.join(WORK_DIR, 'pretrain-heldout.jsonl') },
  template: { kind: 'custom', prompt: '', response: '{text}' },
  sequence: PRETRAIN_SEQUENCE,
  method: { method: 'full' },
  training: { ...PRETRAIN_TRAINING, ...(measure ? { stopAfter: measure, evalEvery: 0, checkpointEvery: 0 } : {}) },
  output: outDir,
  backend: 'wasm',
});

const logFile = path.join(WORK_DIR, measure ? 'pretrain-measure.log' : 'pretrain.log');
const steps: { tokens: number; seconds: number }[] = []; // this session's updates
const onEvent = (e: TrainEvent) => {
  fs.appendFileSync(logFile, JSON.stringify(e) + '\n');
  if (e.type === 'step') {
    steps.push({ tokens: e.tokens, seconds: e.seconds });
    if (e.step % 10 === 0) console.log(`step ${e.step} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} ${e.tokensPerSecond.toFixed(0)} tokens/s`);
  }
  if (e.type === 'eval') {
    console.log(`eval step ${e.step}: held-out loss ${e.valLoss.toFixed(4)} (perplexity ${e.valPerplexity.toFixed(2)})`);
  }
};
const started = performance.now();
const result = await runTraining(spec, { specDir: WORK_DIR, onEvent, resume: !measure });
const wall = (performance.now() - started) / 1000;
const tokens = steps.reduce((n, s) => n + s.tokens, 0);
const busy = steps.reduce((n, s) => n + s.seconds, 0);
console.log(`${steps.length} updates this session, ${tokens} tokens, ${busy ? (tokens / busy).toFixed(0) : 0} tokens/s in steps, ${wall.toFixed(0)} s wall; final loss ${result.finalLoss}, held-out ${result.valLoss}`);
if (!measure) {
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) {
    fs.copyFileSync(path.join(outDir, f), path.join(MODEL_DIR, f));
  }
  writeModelCard(MODEL_DIR, { spec, logFile, result });
}
