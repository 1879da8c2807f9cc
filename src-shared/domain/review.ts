// Qualitative review of a sweep: the prompts every run answers, the decoding settings they all share, the stored
// outputs (samples), a person's ratings of them and blind pairwise judgements between two outputs of one prompt.
import { z } from 'zod';
import type { TemplateSpec } from './data';

export const REVIEW_FLAGS = ['incoherent', 'factual-error', 'repetition', 'truncated'] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];

export const PROMPT_SOURCES = ['typed', 'validation', 'import'] as const;
export type PromptSource = (typeof PROMPT_SOURCES)[number];

export const VERDICTS = ['left', 'right', 'tie', 'skip'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Decoding shared by every run of a sweep (and the base model), so outputs differ only by the adapter. */
export const ReviewSettingsSchema = z.strictObject({
  /** Argmax decoding (the default); otherwise temperature / top-p / top-k sampling with `seed`. */
  greedy: z.boolean().default(true),
  temperature: z.number().positive().max(5).default(0.7),
  topP: z.number().gt(0).max(1).default(1),
  topK: z.number().int().min(0).default(0),
  maxNewTokens: z.number().int().min(1).max(4096).default(64),
  stopStrings: z.array(z.string().min(1)).max(8).default([]),
  seed: z.number().int().min(0).default(0),
  /** Also generate from every checkpoint a run kept (each holds a PEFT adapter). */
  atCheckpoints: z.boolean().default(false),
  /** Generate as soon as a run finishes training, when the sweep has review prompts. */
  afterTraining: z.boolean().default(true),
});
export type ReviewSettingsInput = z.input<typeof ReviewSettingsSchema>;
export type ReviewSettings = z.output<typeof ReviewSettingsSchema>;

export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = ReviewSettingsSchema.parse({});

/** The settings of a sweep that never saved its own: the defaults, stopping at Dolly's "### End" marker. */
export function defaultReviewSettings(template: TemplateSpec): ReviewSettings {
  return { ...DEFAULT_REVIEW_SETTINGS, stopStrings: template.kind === 'dolly' ? ['### End'] : [] };
}

/** The decoding part of the settings: what a sample records and what makes two samples comparable. */
export type Decoding = Pick<ReviewSettings, 'greedy' | 'temperature' | 'topP' | 'topK' | 'maxNewTokens' | 'stopStrings' | 'seed'>;

export function decodingOf(s: ReviewSettings): Decoding {
  return { greedy: s.greedy, temperature: s.temperature, topP: s.topP, topK: s.topK, maxNewTokens: s.maxNewTokens, stopStrings: s.stopStrings, seed: s.seed };
}

/** A stable key of a decoding: samples with the same key were generated the same way. */
export function decodingKey(d: Decoding): string {
  return JSON.stringify(d.greedy
    ? [true, d.maxNewTokens, d.stopStrings]
    : [false, d.temperature, d.topP, d.topK, d.maxNewTokens, d.stopStrings, d.seed]);
}

export interface ReviewPrompt {
  id: number;
  sweepId: number;
  position: number;
  /** What a person reads: the instruction (the template's first prompt field) or the typed text. */
  text: string;
  /** The record the sweep's template renders into the model's prompt. */
  fields: Record<string, string>;
  /** The dataset's response for this prompt, when there is one. */
  reference: string | null;
  source: PromptSource;
  createdAt: string;
}

export const NewPromptSchema = z.strictObject({
  text: z.string().min(1).max(20_000),
  fields: z.record(z.string(), z.string()).optional(),
  reference: z.string().max(20_000).nullable().optional(),
  source: z.enum(PROMPT_SOURCES).default('typed'),
});
export type NewPrompt = z.input<typeof NewPromptSchema>;

/** What a sample records besides its text: the decoding, where the weights came from, why it stopped. */
export interface SampleMeta extends Decoding {
  kind: 'final' | 'checkpoint';
  stopReason: 'eos' | 'stop_string' | 'max_new_tokens';
  promptTokens: number;
  /** The base's storage while generating, e.g. "32-bit float32" or "4-bit nf4 + double quantisation". */
  base: string;
}

export interface SampleRecord {
  id: number;
  sweepId: number;
  /** null: the base model without an adapter. */
  runId: number | null;
  promptId: number;
  prompt: string;
  output: string;
  /** The adapter's training step (null for the base model). */
  step: number | null;
  meta: SampleMeta;
  tokensPerSecond: number | null;
  /** Generated tokens. */
  length: number | null;
  createdAt: string;
}

export interface RatingRecord {
  sampleId: number;
  /** 1..5, or null when only flags or a note were given. */
  score: number | null;
  flags: ReviewFlag[];
  note: string | null;
  updatedAt: string;
}

export interface JudgementRecord {
  id: number;
  sweepId: number;
  promptId: number;
  leftSampleId: number;
  rightSampleId: number;
  verdict: Verdict;
  rater: string;
  /** The judgement this one repeats with the sides swapped (position-bias check), if any. */
  repeatOf: number | null;
  createdAt: string;
}

/** Who wrote an output, as the review screens name it: a run's id, or null for the base model. */
export type PlayerId = number | null;
export const playerKey = (p: PlayerId): string => (p === null ? 'base' : `run-${p}`);
