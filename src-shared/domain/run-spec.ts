// One training run, as a JSON file (`peft-lab train --spec run.json`) or as a cell of a sweep: which base model,
// which data and template, which method, which hyper-parameters, where to write. Relative paths are resolved
// against the spec file's folder. Defaults follow the Hugging Face Trainer where it has one.
import { z } from 'zod';
import { BaseSpecSchema } from './base-spec';
import { DatasetSpecSchema, SequenceSpecSchema, TemplateSpecSchema } from './data';
import { MethodConfigSchema } from './methods';

export const BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export const TrainingSpecSchema = z
  .strictObject({
    /** Optimizer updates to run; or give `epochs` instead. */
    maxSteps: z.number().int().positive().optional(),
    /** Passes over the training set (rounded up to whole updates); used when maxSteps is absent. */
    epochs: z.number().positive().optional(),
    /** Rows per micro-batch. */
    batchSize: z.number().int().positive().default(8),
    /** Micro-batches per update; the loss is the token-weighted mean over all of them. */
    gradientAccumulation: z.number().int().positive().default(1),
    learningRate: z.number().positive().default(2e-4),
    schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
    warmupSteps: z.number().int().min(0).optional(),
    warmupRatio: z.number().min(0).max(1).optional(),
    weightDecay: z.number().min(0).default(0),
    /** Global gradient-norm clip; 0 = off (HF default 1.0). */
    maxGradNorm: z.number().min(0).default(1),
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    adamEpsilon: z.number().positive().default(1e-8),
    seed: z.number().int().min(0).default(42),
    /** Validation loss every N updates (0 = only at the end). */
    evalEvery: z.number().int().min(0).default(0),
    /** Checkpoint every N updates (0 = only at the end). */
    checkpointEvery: z.number().int().min(0).default(0),
    /**
     * Recompute each decoder layer's activations during backprop instead of keeping them (Hugging Face's
     * `gradient_checkpointing`): the same gradients for about a third more compute, activation memory of one layer
     * at a time. A memory setting: a run may resume with it switched.
     */
    gradientCheckpointing: z.boolean().default(false),
    /** Stop early after this many updates even though maxSteps is larger (for tests and "run a bit"). */
    stopAfter: z.number().int().positive().optional(),
  })
  .refine((t) => (t.maxSteps === undefined) !== (t.epochs === undefined), {
    message: 'give exactly one of training.maxSteps and training.epochs',
  })
  .refine((t) => !(t.warmupSteps !== undefined && t.warmupRatio !== undefined), {
    message: 'give at most one of training.warmupSteps and training.warmupRatio',
  });
export type TrainingSpecInput = z.input<typeof TrainingSpecSchema>;
export type TrainingSpec = z.output<typeof TrainingSpecSchema>;

export const RunSpecSchema = z.strictObject({
  name: z.string().optional(),
  /** Hugging Face model folder (config.json, safetensors, tokenizer.json). */
  model: z.string().min(1),
  dataset: DatasetSpecSchema,
  template: TemplateSpecSchema.default({ kind: 'alpaca' }),
  sequence: SequenceSpecSchema,
  method: MethodConfigSchema,
  /** Storage of the frozen base weights (bits 32/16/8/4, see base-spec.ts); absent: as the checkpoint stores them. */
  base: BaseSpecSchema.optional(),
  training: TrainingSpecSchema,
  /** Folder for the adapter, checkpoints and logs. */
  output: z.string().min(1),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});
export type RunSpecInput = z.input<typeof RunSpecSchema>;
export type RunSpec = z.output<typeof RunSpecSchema>;
