// resources/demo/model/README.md: how the demo base model was made, with the numbers of the run that made it
// (read from the run's event log, which spans every resumed session of the run).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunSpec } from '../../../src-shared/domain/run-spec';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import type { TrainResult } from '../../../src-main/engine/train/trainer';
import { ARCH, parameterCount } from './init-model';
import { DATA_DIR, INIT_SEED, SPLIT_SEED, VOCAB_SIZE, WORK_DIR } from './settings';

interface CardInput {
  spec: RunSpec;
  logFile: string;
  result: TrainResult;
}

function readEvents(file: string): TrainEvent[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TrainEvent);
}

/** Per step the last event written (a resumed run repeats no step, but be safe), in step order. */
function lastPerStep<T extends { step: number }>(events: T[]): T[] {
  return [...new Map(events.map((e) => [e.step, e])).values()].sort((a, b) => a.step - b.step);
}

export function writeModelCard(dir: string, input: CardInput): void {
  const events = readEvents(input.logFile);
  const steps = lastPerStep(events.filter((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step'));
  const evals = lastPerStep(events.filter((e): e is Extract<TrainEvent, { type: 'eval' }> => e.type === 'eval'));
  const start = events.find((e): e is Extract<TrainEvent, { type: 'start' }> => e.type === 'start');
  const tokens = steps.reduce((n, s) => n + s.tokens, 0);
  const seconds = steps.reduce((n, s) => n + s.seconds, 0);
  const last20 = steps.slice(-20);
  const meanLast = last20.reduce((n, s) => n + s.loss, 0) / Math.max(1, last20.length);
  const split = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'split.json'), 'utf8')) as Record<string, any>;
  const tokStats = JSON.parse(fs.readFileSync(path.join(WORK_DIR, 'tokenizer-stats.json'), 'utf8')) as Record<string, any>;
  const t = input.spec.training;
  const bytes = fs.statSync(path.join(dir, 'model.safetensors')).size;
  const n = (x: number) => x.toLocaleString('en-US');
  const text = `---
license: other
license_name: wordnet
language: en
library_name: peft-lab
tags: [llama, tiny, demo]
---

# PEFT Lab demo base model (LLaMA architecture, ${n(parameterCount(VOCAB_SIZE))} parameters)

A tiny LLaMA-architecture language model of English dictionary definitions, made by PEFT Lab's own scripts
(\`scripts/demo/\`) so that the app's first-run study has a base model to fine-tune on a 2-core CPU with nothing to
download. It writes text that reads like WordNet glosses; it knows little else.

## Corpus and split
WordNet ${split.source.replace(/^WordNet /, '')}, Princeton University: ${n(split.synsets)} synsets, ${n(split.lemmas)} lemmas.
Words are split at the lemma level (seed ${SPLIT_SEED}, \`scripts/demo/lib/split.ts\`): ${n(split.words.pretraining)} pre-training,
${n(split.words.fineTuning)} fine-tuning, ${n(split.words.validation)} validation and ${n(split.words.review)} review words. Validation and review
words are drawn from words no other synset mentions, and every synset holding one (${n(split.heldOutSynsets)}) is left out of all
training text, so the model has never seen them. Pre-training text: one line per synset that has a pre-training word,
\`word (part of speech): gloss\` (gloss = definition; "examples"), ${n(split.pretrainingLines)} lines, ${n(split.pretrainingChars)} characters
(sha256 of the JSONL file: \`${split.pretrainingSha256}\`).

## Tokenizer
Byte-level BPE (GPT-2 byte-to-unicode mapping and pre-tokenizer pattern, greedy most-frequent-pair merges, ties to
the pair that sorts first), trained by \`scripts/demo/tokenizer.ts\` on the pre-training text: vocabulary ${n(tokStats.vocabSize)}
(3 special tokens \`<unk>\` \`<s>\` \`</s>\`, 256 bytes, ${n(tokStats.merges)} merges), ${tokStats.pretraining.charsPerToken} characters per token on the
pre-training text and ${tokStats.heldOut.charsPerToken} on held-out text. \`<s>\` is added in front of every encoding (LLaMA's post-processor).

## Architecture
\`LlamaForCausalLM\`: hidden ${ARCH.hidden}, ${ARCH.layers} layers, ${ARCH.heads} attention heads (head size ${ARCH.hidden / ARCH.heads}, no grouped-query attention),
intermediate ${ARCH.intermediate} (SwiGLU), RMSNorm eps 1e-5, RoPE theta 10000, ${ARCH.maxPositions} positions, tied input/output embeddings,
vocabulary ${VOCAB_SIZE}: ${n(parameterCount(VOCAB_SIZE))} parameters, stored as float32 (\`model.safetensors\`, ${n(bytes)} bytes).

## Training
Initialised with seed ${INIT_SEED} as transformers does (linear and embedding weights ~ N(0, 0.02), norm weights 1), then
trained with PEFT Lab's trainer (\`runTraining\`, method \`full\`, every weight trains) on the ${start?.backend ?? 'wasm'} backend, one
thread: ${n(steps.length)} updates of ${t.batchSize} packed rows × ${input.spec.sequence.maxLength} tokens (loss on every token, \`<s>\` … \`</s>\` around each line),
AdamW (β ${t.adamBeta1}/${t.adamBeta2}, weight decay ${t.weightDecay}), learning rate ${t.learningRate} with ${t.warmupSteps} warm-up updates and cosine decay,
gradient clipping ${t.maxGradNorm}, seed ${t.seed}. It predicted ${n(tokens)} tokens (about ${(tokens / (split.pretrainingChars / tokStats.pretraining.charsPerToken)).toFixed(2)} of an epoch)
in ${(seconds / 60).toFixed(1)} minutes of training steps (${(tokens / seconds).toFixed(0)} tokens/s).

| | loss (nats per token) | perplexity |
|---|---|---|
| first update | ${steps[0]?.loss.toFixed(3)} | ${Math.exp(steps[0]?.loss ?? NaN).toFixed(1)} |
| last 20 updates (mean) | ${meanLast.toFixed(3)} | ${Math.exp(meanLast).toFixed(1)} |
| held-out text (the validation words' lines, never trained on) | ${evals.at(-1)?.valLoss.toFixed(3)} | ${Math.exp(evals.at(-1)?.valLoss ?? NaN).toFixed(1)} |
| uniform guess, ln ${VOCAB_SIZE} | ${Math.log(VOCAB_SIZE).toFixed(3)} | ${VOCAB_SIZE} |

## Reproduce
\`\`\`sh
npx tsx scripts/demo/corpus.ts      # split + texts (resources/demo/data, pre-training text in $TMPDIR/peft-lab-demo)
npx tsx scripts/demo/tokenizer.ts   # tokenizer.json + tokenizer_config.json
npx tsx scripts/demo/pretrain.ts    # this model (resumable; about ${Math.ceil(seconds / 60 + 2)} minutes here)
\`\`\`
The same seeds give the same split, tokenizer and initial weights (the first two checked byte for byte). The
training's data order is seeded and PEFT Lab's trainer repeats a run exactly on the same backend (the demo sweep gave
identical losses twice); the pre-training itself was run once.

## Licence
The training text is WordNet's: "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved." Used
under the WordNet licence (see \`resources/demo/LICENSE-WordNet.txt\`); Princeton makes no representations or
warranties. The weights and scripts are PEFT Lab's.
`;
  fs.writeFileSync(path.join(dir, 'README.md'), text);
}
