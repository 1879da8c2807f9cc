// The dataset, template and sequence parts of a run spec (the JSON file a user writes), as zod schemas with their
// inferred types. `*Input` types are what a user may write (defaults optional); the plain types are what
// `Schema.parse` returns (defaults filled in). Placeholder syntax in custom/chat templates is checked here so the
// renderer can validate a spec before it ever reaches a worker.
import { z } from 'zod';
import { PeftLabError } from '../errors';
import { parsePlaceholders } from './placeholders';

export const DATASET_FORMATS = ['jsonl', 'json', 'csv'] as const;
export const DatasetFormatSchema = z.enum(DATASET_FORMATS);
export type DatasetFormat = z.infer<typeof DatasetFormatSchema>;

export const DEFAULT_VALIDATION_SPLIT = 0.1;
export const DEFAULT_SPLIT_SEED = 0;

export const DatasetSpecSchema = z.strictObject({
  /** Path of the data file; relative paths are resolved against the run spec's folder. */
  path: z.string().min(1),
  /** Default: from the extension (.jsonl/.ndjson → jsonl, .json → json, .csv → csv). */
  format: DatasetFormatSchema.optional(),
  /** Template field name → column name in the file. Fields not listed are looked up under their own name. */
  fields: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** Fraction of the records held out for validation, in [0, 1). Ignored when `validationPath` is set. */
  validationSplit: z.number().min(0).lt(1).default(DEFAULT_VALIDATION_SPLIT),
  /** A separate validation file instead of a split (`format`, `fields` apply to it too; `maxExamples` does not). */
  validationPath: z.string().min(1).optional(),
  /** Use only the first N records of the file (before the split). */
  maxExamples: z.number().int().positive().optional(),
  /** Seed of the train/validation split. */
  splitSeed: z.number().int().default(DEFAULT_SPLIT_SEED),
});
export type DatasetSpecInput = z.input<typeof DatasetSpecSchema>;
export type DatasetSpec = z.output<typeof DatasetSpecSchema>;

/** A template string with `{field}` placeholders; `{{` and `}}` stand for literal braces. */
const placeholderText = (what: string) =>
  z.string().superRefine((text, ctx) => {
    try {
      parsePlaceholders(text, what);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });

export const TemplateSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('alpaca') }),
  z.strictObject({ kind: z.literal('dolly') }),
  z.strictObject({
    kind: z.literal('custom'),
    prompt: placeholderText('template.prompt'),
    response: placeholderText('template.response'),
  }),
  z.strictObject({
    kind: z.literal('chat'),
    system: placeholderText('template.system').optional(),
    user: placeholderText('template.user'),
    assistant: placeholderText('template.assistant'),
  }),
]);
export type TemplateSpec = z.infer<typeof TemplateSpecSchema>;
export type TemplateKind = TemplateSpec['kind'];

export const SequenceSpecSchema = z.strictObject({
  /** Maximum tokens per training row (prompt + response + special tokens). */
  maxLength: z.number().int().min(2),
  /** Concatenate several examples into each row of exactly `maxLength` tokens. */
  packing: z.boolean().default(false),
  /** 'response': loss only on response tokens (prompt masked with -100); 'all': loss on every token. */
  lossOn: z.enum(['response', 'all']).default('response'),
  /** Append the tokenizer's EOS after the response so the model learns to stop. */
  addEos: z.boolean().default(true),
});
export type SequenceSpecInput = z.input<typeof SequenceSpecSchema>;
export type SequenceSpec = z.output<typeof SequenceSpecSchema>;

const EXTENSION_FORMATS: Record<string, DatasetFormat> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  csv: 'csv',
};

/** The format of a data file: `format` if given, else from the extension of `path`. */
export function datasetFormatOf(spec: { path: string; format?: DatasetFormat }): DatasetFormat {
  if (spec.format) return spec.format;
  const name = spec.path.split(/[\\/]/).pop() ?? spec.path;
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  const format = EXTENSION_FORMATS[ext];
  if (!format) {
    throw new PeftLabError(
      'DATASET_INVALID',
      `${spec.path}: cannot tell the dataset format from the extension "${ext ? '.' + ext : '(none)'}". ` +
        `Fix: rename the file to .jsonl, .json or .csv, or set dataset.format to "jsonl", "json" or "csv".`,
      { path: spec.path },
    );
  }
  return format;
}
