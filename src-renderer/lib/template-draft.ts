// The template a person is editing: every kind's fields kept side by side, so switching kind and back loses nothing.
import type { TemplateKind, TemplateSpec } from '../../src-shared/domain/data';

export interface TemplateDraft {
  kind: TemplateKind;
  prompt: string;
  response: string;
  system: string;
  user: string;
  assistant: string;
}

export const TEMPLATE_KINDS: { kind: TemplateKind; label: string }[] = [
  { kind: 'alpaca', label: 'Alpaca' },
  { kind: 'dolly', label: 'Dolly' },
  { kind: 'custom', label: 'Custom' },
  { kind: 'chat', label: 'Chat (model template)' },
];

export function defaultTemplateDraft(): TemplateDraft {
  return {
    kind: 'alpaca',
    prompt: '### Instruction:\n{instruction}\n\n### Response:\n',
    response: '{output}',
    system: '',
    user: '{instruction}',
    assistant: '{output}',
  };
}

export function templateSpecOf(d: TemplateDraft): TemplateSpec {
  switch (d.kind) {
    case 'alpaca':
      return { kind: 'alpaca' };
    case 'dolly':
      return { kind: 'dolly' };
    case 'custom':
      return { kind: 'custom', prompt: d.prompt, response: d.response };
    case 'chat':
      return d.system.trim() ? { kind: 'chat', system: d.system, user: d.user, assistant: d.assistant } : { kind: 'chat', user: d.user, assistant: d.assistant };
  }
}
