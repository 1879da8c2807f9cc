// Splits text into runs of ordinary characters and single whitespace characters, so a preview can mark every
// space, tab and newline while the text itself stays byte for byte what the model sees.
export type TextPart = { kind: 'text' | 'space' | 'tab' | 'newline' | 'cr'; text: string };

const KINDS: Record<string, TextPart['kind']> = { ' ': 'space', '\t': 'tab', '\n': 'newline', '\r': 'cr' };

export function whitespaceParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let run = '';
  for (const ch of text) {
    const kind = KINDS[ch];
    if (!kind) {
      run += ch;
      continue;
    }
    if (run) parts.push({ kind: 'text', text: run });
    run = '';
    parts.push({ kind, text: ch });
  }
  if (run) parts.push({ kind: 'text', text: run });
  return parts;
}
