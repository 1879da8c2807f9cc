// A sweep: one base model, one dataset + template, fixed training hyper-parameters, and axes whose cartesian
// product is the grid of runs (method × r × target modules × base bit width, optionally × lora_alpha × learning
// rate × seed replicates), as in Databricks' OpenLLaMA-3B LoRA/QLoRA study.
import { z } from 'zod';
import { DatasetSpecSchema, SequenceSpecSchema, TemplateSpecSchema } from './data';
import { BACKEND_CHOICES, TrainingSpecSchema } from './run-spec';
import { StudyRefSchema } from './study-preset';

export const SWEEP_METHODS = ['lora', 'qlora', 'mora', 'ia3', 'prompt', 'prefix', 'full'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

export const BIT_WIDTHS = [32, 16, 8, 4] as const;
export type BitWidth = (typeof BIT_WIDTHS)[number];

/** Named target-module sets; "attention-qv" = q_proj, v_proj (PEFT's LLaMA default), "all-linear" = PEFT's all-linear. */
export const TARGET_PRESETS = {
  'attention-qv': { label: 'attention q,v', modules: ['q_proj', 'v_proj'] as string[] | 'all-linear' },
  'all-linear': { label: 'all linear', modules: 'all-linear' as string[] | 'all-linear' },
} as const;
export type TargetPreset = keyof typeof TARGET_PRESETS;

export const TargetSetSchema = z.union([
  z.strictObject({ preset: z.enum(['attention-qv', 'all-linear']) }),
  z.strictObject({ name: z.string().min(1), modules: z.array(z.string().min(1)).min(1) }),
]);
export type TargetSet = z.infer<typeof TargetSetSchema>;

export function targetSetKey(t: TargetSet): string {
  return 'preset' in t ? t.preset : t.name;
}
export function targetSetLabel(t: TargetSet): string {
  return 'preset' in t ? TARGET_PRESETS[t.preset].label : t.name;
}
export function targetSetModules(t: TargetSet): string[] | 'all-linear' {
  return 'preset' in t ? TARGET_PRESETS[t.preset].modules : t.modules;
}

const distinct = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1).refine((xs) => new Set(xs.map((x) => JSON.stringify(x))).size === xs.length, { message: 'values must be distinct' });

export const SweepAxesSchema = z.strictObject({
  method: distinct(z.enum(SWEEP_METHODS)).default(['lora']),
  r: distinct(z.number().int().positive()).default([8]),
  targets: distinct(TargetSetSchema).default([{ preset: 'attention-qv' }]),
  bits: distinct(z.union([z.literal(32), z.literal(16), z.literal(8), z.literal(4)])).default([32]),
  /** lora_alpha values; absent: alpha = alphaPerR · r for every cell. */
  loraAlpha: distinct(z.number().positive()).optional(),
  learningRate: distinct(z.number().positive()).optional(),
  /** Seed replicates; absent: training.seed. */
  seed: distinct(z.number().int().min(0)).optional(),
});
export type SweepAxes = z.output<typeof SweepAxesSchema>;

export const SweepSpecSchema = z.strictObject({
  name: z.string().min(1).max(200),
  /** Model folder (a registered model's path). */
  model: z.string().min(1),
  dataset: DatasetSpecSchema,
  template: TemplateSpecSchema.default({ kind: 'alpaca' }),
  sequence: SequenceSpecSchema,
  training: TrainingSpecSchema,
  axes: SweepAxesSchema,
  /** LoRA-family settings shared by every cell. alpha = alphaPerR · r unless axes.loraAlpha is given. */
  lora: z.strictObject({
    alphaPerR: z.number().positive().default(2),
    dropout: z.number().min(0).lt(1).default(0.05),
  }).default({ alphaPerR: 2, dropout: 0.05 }),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  /** The study preset this sweep was built from (src-main/studies): its summary shows the published finding and a verdict. */
  study: StudyRefSchema.optional(),
});
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;
export type SweepSpec = z.output<typeof SweepSpecSchema>;

/** One point of the grid. */
export interface SweepCell {
  /** Stable key, e.g. "lora|r8|attention-qv|b32|a16|lr0.0002|s42". */
  key: string;
  label: string;
  method: SweepMethod;
  r: number;
  targets: TargetSet;
  bits: BitWidth;
  loraAlpha: number;
  learningRate: number;
  seed: number;
}
