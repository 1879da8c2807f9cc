// `{field}` placeholders in user-written templates, in the spirit of Python's str.format: `{name}` is replaced by a
// record field, `{{` and `}}` are literal braces. Anything else with a brace (an unclosed `{`, a lone `}`, an empty
// `{}`) is an error that names the template and the column of the offending brace.
import { PeftLabError } from '../errors';

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'field'; name: string };

function invalid(where: string, message: string, fix: string): PeftLabError {
  return new PeftLabError('TEMPLATE_INVALID', `${where}: ${message}. Fix: ${fix}`, { where });
}

/** Splits a template into literal text and field references. `where` names the template in error messages. */
export function parsePlaceholders(text: string, where = 'template'): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c === '}') {
      throw invalid(where, `a lone "}" at character ${i + 1}`, 'write "}}" for a literal brace');
    }
    if (c !== '{') {
      literal += c;
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 1);
    const open = text.indexOf('{', i + 1);
    if (close < 0 || (open >= 0 && open < close)) {
      throw invalid(where, `the "{" at character ${i + 1} is not closed`, 'close it as {field} or write "{{" for a literal brace');
    }
    const name = text.slice(i + 1, close);
    if (name.trim() === '') {
      throw invalid(where, `an empty placeholder "{${name}}" at character ${i + 1}`, 'put a field name inside the braces');
    }
    if (literal) parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push({ kind: 'field', name });
    i = close + 1;
  }
  if (literal) parts.push({ kind: 'text', text: literal });
  return parts;
}

/** The distinct field names a template refers to, in order of first use. */
export function placeholderNames(text: string, where = 'template'): string[] {
  const names: string[] = [];
  for (const part of parsePlaceholders(text, where)) {
    if (part.kind === 'field' && !names.includes(part.name)) names.push(part.name);
  }
  return names;
}

/** Replaces every `{field}` by `values[field]`; an unknown field is a TEMPLATE_INVALID naming the fields available. */
export function fillPlaceholders(text: string, values: Record<string, string>, where = 'template'): string {
  let out = '';
  for (const part of parsePlaceholders(text, where)) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(values, part.name)) {
      const available = Object.keys(values);
      throw new PeftLabError(
        'TEMPLATE_INVALID',
        `${where}: unknown placeholder "{${part.name}}". Fields available: ` +
          `${available.length ? available.join(', ') : '(none)'}. ` +
          `Fix: use one of these names, map a column to "${part.name}" with dataset.fields, or write "{{" and "}}" for literal braces.`,
        { where, placeholder: part.name, available },
      );
    }
    out += values[part.name];
  }
  return out;
}
