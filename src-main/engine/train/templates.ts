// A dataset record → the prompt text and the response text to train on (or the prompt alone, for generation).
// Built-in texts live in src-shared/domain/template-texts.ts; custom and chat templates use `{field}` placeholders.
// The chat kind formats the prompt with the tokenizer's own chat template (system + user, with the generation
// prompt); the response is the assistant text, which the caller follows with EOS.
import { PeftLabError } from '../../../src-shared/errors';
import { fillPlaceholders, placeholderNames } from '../../../src-shared/domain/placeholders';
import { BUILTIN_TEMPLATES } from '../../../src-shared/domain/template-texts';
import type { BuiltinTemplate } from '../../../src-shared/domain/template-texts';
import type { TemplateSpec } from '../../../src-shared/domain/data';
import type { ChatMessage, TextTokenizer } from '../model/tokenizer';
import type { FieldNeeds } from './dataset';
import type { PromptResponse } from './tokenize';

export type TemplateRecord = Record<string, string>;
export type ChatTokenizer = Pick<TextTokenizer, 'hasChatTemplate' | 'applyChatTemplate'>;

/** The fields a template reads: `required` for the prompt (+ response when `forTraining`), `optional` else. */
export function templateFields(template: TemplateSpec, forTraining = true): Required<FieldNeeds> {
  const unique = (names: string[]) => [...new Set(names)];
  switch (template.kind) {
    case 'alpaca':
    case 'dolly': {
      const b = BUILTIN_TEMPLATES[template.kind];
      return { required: [...b.promptFields, ...(forTraining ? b.responseFields : [])], optional: [b.inputField] };
    }
    case 'custom':
      return {
        required: unique([
          ...placeholderNames(template.prompt, 'template.prompt'),
          ...(forTraining ? placeholderNames(template.response, 'template.response') : []),
        ]),
        optional: [],
      };
    case 'chat':
      return {
        required: unique([
          ...placeholderNames(template.system ?? '', 'template.system'),
          ...placeholderNames(template.user, 'template.user'),
          ...(forTraining ? placeholderNames(template.assistant, 'template.assistant') : []),
        ]),
        optional: [],
      };
  }
}

function requireFields(kind: string, record: TemplateRecord, fields: string[]): void {
  for (const field of fields) {
    if (typeof record[field] !== 'string') {
      throw new PeftLabError(
        'DATASET_INVALID',
        `template "${kind}" needs the field "${field}", which this record lacks. Fields present: ` +
          `${Object.keys(record).join(', ') || '(none)'}. Fix: map a column to "${field}" with dataset.fields.`,
        { field },
      );
    }
  }
}

function builtinPrompt(kind: 'alpaca' | 'dolly', b: BuiltinTemplate, record: TemplateRecord): string {
  requireFields(kind, record, b.promptFields);
  const values = { ...record, [b.inputField]: record[b.inputField] ?? '' };
  const text = values[b.inputField] !== '' ? b.promptWithInput : b.promptNoInput;
  return fillPlaceholders(text, values, `template "${kind}"`);
}

function chatPrompt(template: Extract<TemplateSpec, { kind: 'chat' }>, record: TemplateRecord, tokenizer: ChatTokenizer | undefined): string {
  if (!tokenizer || !tokenizer.hasChatTemplate) {
    throw new PeftLabError(
      'TEMPLATE_INVALID',
      `template "chat" needs a tokenizer with a chat template${tokenizer ? '; this one has none' : ''}. ` +
        `Fix: use the tokenizer of an instruction-tuned model, or template kind "alpaca", "dolly" or "custom".`,
    );
  }
  const messages: ChatMessage[] = [];
  if (template.system !== undefined) {
    messages.push({ role: 'system', content: fillPlaceholders(template.system, record, 'template.system') });
  }
  messages.push({ role: 'user', content: fillPlaceholders(template.user, record, 'template.user') });
  return tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
}

/** The prompt only, as used for generation (the response fields need not exist). */
export function renderPrompt(template: TemplateSpec, record: TemplateRecord, tokenizer?: ChatTokenizer): string {
  switch (template.kind) {
    case 'alpaca':
    case 'dolly':
      return builtinPrompt(template.kind, BUILTIN_TEMPLATES[template.kind], record);
    case 'custom':
      return fillPlaceholders(template.prompt, record, 'template.prompt');
    case 'chat':
      return chatPrompt(template, record, tokenizer);
  }
}

/** Prompt and response texts of one training record. */
export function renderExample(template: TemplateSpec, record: TemplateRecord, tokenizer?: ChatTokenizer): PromptResponse {
  switch (template.kind) {
    case 'alpaca':
    case 'dolly': {
      const b = BUILTIN_TEMPLATES[template.kind];
      const prompt = builtinPrompt(template.kind, b, record);
      requireFields(template.kind, record, b.responseFields);
      return { prompt, response: fillPlaceholders(b.response, record, `template "${template.kind}"`) };
    }
    case 'custom':
      return {
        prompt: fillPlaceholders(template.prompt, record, 'template.prompt'),
        response: fillPlaceholders(template.response, record, 'template.response'),
      };
    case 'chat':
      return {
        prompt: chatPrompt(template, record, tokenizer),
        response: fillPlaceholders(template.assistant, record, 'template.assistant'),
      };
  }
}
