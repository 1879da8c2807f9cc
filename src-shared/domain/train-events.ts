// Events a training run emits (JSON lines on the CLI's stdout; typed messages from a run worker to the host).
import type { WireError } from '../errors';

export type TrainEvent =
  | { type: 'start'; backend: string; device: string; trainExamples: number; validationExamples: number; trainableParams: number; allParams: number; maxSteps: number; resumedFrom: number | null; truncated: number; dropped: number;
      /** The frozen base as held in memory: storage format of the decoder's linear weights, bytes of every base tensor
       *  and bits per quantised weight, measured from the tensors (e.g. 4.127 for NF4 + double quantisation). */
      baseFormat: string; baseWeightBytes: number; baseBitsPerWeight: number }
  | { type: 'step'; step: number; loss: number; lr: number; gradNorm: number; tokens: number; tokensPerSecond: number; epoch: number; seconds: number }
  | { type: 'eval'; step: number; valLoss: number; valPerplexity: number; tokens: number;
      /** Teacher-forced character accuracy of the validation responses (engine/train/char-accuracy.ts), 0…1. */
      charAccuracy?: number }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'finished'; step: number; adapterPath: string; finalLoss: number | null; valLoss: number | null; seconds: number }
  | { type: 'failed'; step: number; error: WireError };
