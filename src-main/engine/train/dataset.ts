// Loads a dataset file into flat string records keyed by template field name. The column of a template field is
// `dataset.fields[field]` or the field's own name. Numbers and booleans become their text; objects, arrays and
// (for required fields) null are errors naming the record, the field and the fix.
import { isAbsolute, resolve } from 'node:path';
import { PeftLabError } from '../../../src-shared/errors';
import { DEFAULT_SPLIT_SEED, DEFAULT_VALIDATION_SPLIT, datasetFormatOf } from '../../../src-shared/domain/data';
import type { DatasetFormat, DatasetSpecInput } from '../../../src-shared/domain/data';
import { parseCsv, parseJson, parseJsonl } from './dataset-formats';
import type { RawRecord } from './dataset-formats';
import { readUtf8File } from './text-file';
import { splitTrainValidation } from './batching';

export type TextRecord = Record<string, string>;

/** Which template fields the records must have (see `templateFields` in templates.ts). */
export interface FieldNeeds {
  required?: string[];
  /** Missing or null optional fields become ''. */
  optional?: string[];
}

const PARSERS: Record<DatasetFormat, (text: string, path: string) => RawRecord[]> = {
  jsonl: parseJsonl,
  json: parseJson,
  csv: parseCsv,
};

function listFields(values: Record<string, unknown>): string {
  const keys = Object.keys(values);
  if (keys.length === 0) return '(none)';
  return keys.length > 20 ? `${keys.slice(0, 20).join(', ')}, … (${keys.length} in all)` : keys.join(', ');
}

interface FieldContext {
  path: string;
  raw: RawRecord;
  field: string;
  column: string;
}

function describe(ctx: FieldContext): string {
  return ctx.column === ctx.field ? `field "${ctx.field}"` : `column "${ctx.column}" (template field "${ctx.field}")`;
}

function missing(ctx: FieldContext, what: string): PeftLabError {
  return new PeftLabError(
    'DATASET_INVALID',
    `${ctx.path} ${ctx.raw.where}: ${what} ${describe(ctx)}. Fields present: ${listFields(ctx.raw.values)}. ` +
      `Fix: add "${ctx.column}" to every record, or map the template field to an existing column with ` +
      `dataset.fields {"${ctx.field}": "<column>"}.`,
    { path: ctx.path, where: ctx.raw.where, field: ctx.field, column: ctx.column },
  );
}

/** The text of one value, or null when the value is absent/null. */
function toText(value: unknown, ctx: FieldContext): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  const kind = Array.isArray(value) ? 'an array' : 'an object';
  throw new PeftLabError(
    'DATASET_INVALID',
    `${ctx.path} ${ctx.raw.where}: ${describe(ctx)} is ${kind}, not text. ` +
      `Fix: store it as a string (e.g. JSON-encode it in the data file) or map a text column with dataset.fields.`,
    { path: ctx.path, where: ctx.raw.where, field: ctx.field, column: ctx.column },
  );
}

function mapRecord(raw: RawRecord, path: string, mapping: Record<string, string>, needs: FieldNeeds | undefined): TextRecord {
  const out: TextRecord = {};
  const fieldCtx = (field: string): FieldContext => ({ path, raw, field, column: mapping[field] ?? field });
  const take = (field: string, required: boolean) => {
    const ctx = fieldCtx(field);
    const hasColumn = Object.prototype.hasOwnProperty.call(raw.values, ctx.column);
    const text = toText(hasColumn ? raw.values[ctx.column] : undefined, ctx);
    if (text === null && required) throw missing(ctx, hasColumn ? 'null value in' : 'missing');
    out[field] = text ?? '';
  };
  if (!needs) {
    // No template given: keep every column under its own name, then add the mapped fields.
    for (const column of Object.keys(raw.values)) take(column, false);
    for (const field of Object.keys(mapping)) take(field, true);
    return out;
  }
  const required = new Set([...(needs.required ?? []), ...Object.keys(mapping)]);
  for (const field of required) take(field, true);
  for (const field of needs.optional ?? []) if (!required.has(field)) take(field, false);
  return out;
}

function resolvePath(path: string, baseDir: string | undefined): string {
  return isAbsolute(path) ? path : resolve(baseDir ?? process.cwd(), path);
}

async function loadFile(
  path: string,
  format: DatasetFormat,
  spec: DatasetSpecInput,
  needs: FieldNeeds | undefined,
  limit: number | undefined,
  what: string,
): Promise<TextRecord[]> {
  const text = await readUtf8File(path, what);
  if (text.trim() === '') {
    throw new PeftLabError('DATASET_INVALID', `${path}: the file is empty. Fix: add records, or point ${what} at the right file.`, { path });
  }
  let raws = PARSERS[format](text, path);
  if (raws.length === 0) {
    throw new PeftLabError('DATASET_INVALID', `${path}: no records found (format ${format}). Fix: add at least one record${format === 'csv' ? ' below the header row' : ''}.`, { path });
  }
  if (limit !== undefined) raws = raws.slice(0, limit);
  return raws.map((raw) => mapRecord(raw, path, spec.fields ?? {}, needs));
}

/**
 * Reads `spec.path` (relative to `baseDir`, default the working directory) and returns its records, limited to
 * `spec.maxExamples`. With `needs`, each record holds exactly the needed fields; without, every column.
 */
export async function loadRecords(spec: DatasetSpecInput, baseDir?: string, needs?: FieldNeeds): Promise<TextRecord[]> {
  const path = resolvePath(spec.path, baseDir);
  return loadFile(path, datasetFormatOf(spec), spec, needs, spec.maxExamples, 'dataset.path');
}

/** Train and validation records: `spec.validationPath` if set, else a seeded split of `spec.path`. */
export async function loadTrainValidation(
  spec: DatasetSpecInput,
  baseDir?: string,
  needs?: FieldNeeds,
): Promise<{ train: TextRecord[]; validation: TextRecord[] }> {
  const records = await loadRecords(spec, baseDir, needs);
  if (spec.validationPath) {
    const path = resolvePath(spec.validationPath, baseDir);
    const format = datasetFormatOf({ path: spec.validationPath, format: spec.format });
    return { train: records, validation: await loadFile(path, format, spec, needs, undefined, 'dataset.validationPath') };
  }
  return splitTrainValidation(records, spec.validationSplit ?? DEFAULT_VALIDATION_SPLIT, spec.splitSeed ?? DEFAULT_SPLIT_SEED);
}
