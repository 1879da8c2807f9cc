// Review prompts from the three places they come from: typed in (the text fills the template's first prompt
// field), picked from the sweep's validation split, or imported from a JSONL / JSON / CSV file. Each keeps the
// record the template renders and the dataset's reference response when there is one.
import type { NewPrompt } from '../../src-shared/domain/review';
import type { DatasetFormat, TemplateSpec } from '../../src-shared/domain/data';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import { fillPlaceholders, placeholderNames } from '../../src-shared/domain/placeholders';
import { BUILTIN_TEMPLATES } from '../../src-shared/domain/template-texts';
import type { PromptCandidate } from '../../src-shared/protocol/api';
import { PeftLabError } from '../../src-shared/errors';
import type { NewReviewPrompt } from '../store/repos/review-prompts';
import { parseCsv, parseJson, parseJsonl } from '../engine/train/dataset-formats';
import { loadTrainValidation } from '../engine/train/dataset';
import { templateFields } from '../engine/train/templates';

/** The template's prompt fields, the main one first (alpaca/dolly: instruction). */
export function promptFieldsOf(template: TemplateSpec): string[] {
  return templateFields(template, false).required;
}

/** The fields of the response (alpaca: output, dolly: response, custom/chat: the response's placeholders). */
function responseFieldsOf(template: TemplateSpec): string[] {
  if (template.kind === 'alpaca' || template.kind === 'dolly') return BUILTIN_TEMPLATES[template.kind].responseFields;
  return placeholderNames(template.kind === 'custom' ? template.response : template.assistant, 'template.response');
}

/** The dataset's response to a record, as written in the data (without a template's end marker); null without one. */
export function referenceOf(template: TemplateSpec, record: Record<string, string>): string | null {
  const fields = responseFieldsOf(template);
  if (fields.length === 0 || fields.some((f) => typeof record[f] !== 'string' || record[f] === '')) return null;
  if (template.kind === 'alpaca' || template.kind === 'dolly') return record[fields[0]];
  return fillPlaceholders(template.kind === 'custom' ? template.response : template.assistant, record, 'template.response');
}

/** A new prompt as stored: typed text fills the first prompt field, the other prompt fields start empty. */
export function toStoredPrompt(template: TemplateSpec, p: NewPrompt): NewReviewPrompt {
  const fields = promptFieldsOf(template);
  const record = p.fields ?? Object.fromEntries(fields.map((f, i) => [f, i === 0 ? p.text : '']));
  for (const f of fields) {
    if (typeof record[f] !== 'string') throw new PeftLabError('BAD_ARGUMENT', `the prompt "${p.text.slice(0, 60)}" has no field "${f}", which the sweep's template needs`);
  }
  return { text: p.text, fields: record, reference: p.reference ?? referenceOf(template, record), source: p.source ?? 'typed' };
}

/** Validation examples of the sweep (as the split used for training makes them), to pick from. */
export async function validationCandidates(spec: SweepSpec, limit: number): Promise<PromptCandidate[]> {
  const { validation } = await loadTrainValidation(spec.dataset);
  const main = promptFieldsOf(spec.template)[0];
  return validation.slice(0, limit).map((record, index) => ({
    index, text: main ? record[main] ?? '' : JSON.stringify(record), fields: record, reference: referenceOf(spec.template, record),
  }));
}

const PARSERS: Record<DatasetFormat, typeof parseJsonl> = { jsonl: parseJsonl, json: parseJson, csv: parseCsv };
const PROMPT_ALIASES = ['prompt', 'instruction', 'question', 'text', 'input'];
const REFERENCE_ALIASES = ['reference', 'response', 'output', 'answer', 'completion'];

/**
 * Records of an imported file as prompts. Columns named like the template's fields are used as they are; a file
 * without the main prompt field may name it prompt / instruction / question / text, and its reference response
 * reference / response / output / answer / completion.
 */
export function importedPrompts(template: TemplateSpec, content: string, format: DatasetFormat, name: string): NewPrompt[] {
  const fields = promptFieldsOf(template);
  const main = fields[0];
  const raws = PARSERS[format](content, name);
  if (raws.length === 0) throw new PeftLabError('DATASET_INVALID', `${name}: no records found (format ${format})`);
  return raws.map((raw) => {
    const rec: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.values)) if (v !== null && v !== undefined && typeof v !== 'object') rec[k] = String(v);
    if (main && rec[main] === undefined) {
      const alias = PROMPT_ALIASES.find((a) => rec[a] !== undefined && a !== main);
      if (!alias) throw new PeftLabError('DATASET_INVALID', `${name} ${raw.where}: no "${main}" (or prompt / instruction / question / text) column; fields present: ${Object.keys(rec).join(', ') || '(none)'}`);
      rec[main] = rec[alias];
    }
    for (const f of fields) rec[f] ??= '';
    const alias = REFERENCE_ALIASES.find((a) => rec[a] !== undefined && rec[a] !== '');
    const reference = referenceOf(template, rec) ?? (alias ? rec[alias] : null);
    return { text: main ? rec[main] : content, fields: rec, reference, source: 'import' as const };
  });
}
