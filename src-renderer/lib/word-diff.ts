// Word-level difference of an output against a reference text (another column's output, or the dataset's
// response), for highlighting: jsdiff's diffWords (words and the whitespace between them; punctuation separate).
import { diffWords } from 'diff';

export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Parts in reading order: text only in `text` is 'added', text only in `reference` is 'removed'. */
export function wordDiff(reference: string, text: string): DiffPart[] {
  return diffWords(reference, text).map((c) => ({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));
}

/** Share of the output's words that the reference also has in the same order (1 = identical), for a quick read. */
export function sameShare(parts: readonly DiffPart[]): number {
  const words = (kind: DiffPart['kind']) => parts.filter((p) => p.kind === kind).reduce((n, p) => n + (p.text.match(/\S+/g)?.length ?? 0), 0);
  const same = words('same');
  const total = same + words('added');
  return total === 0 ? 1 : same / total;
}
