// Turns schema failures into one PeftLabError whose message lists every problem as `where: path.to.field: message`,
// so a person sees which field of which file to fix.
import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import { PeftLabError } from '../errors';

/** At most this many issues, each cut to ISSUE_CHARS: an input with a megabyte-long key still gets a readable message. */
const MAX_ISSUES = 20;
const ISSUE_CHARS = 500;

export function formatIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.slice(0, MAX_ISSUES).map((i) => {
    const path = i.path.length ? i.path.map(String).join('.') : '(root)';
    const line = `${where}: ${path}: ${i.message}`;
    return line.length > ISSUE_CHARS ? `${line.slice(0, ISSUE_CHARS - 3)}...` : line;
  });
  if (error.issues.length > MAX_ISSUES) lines.push(`${where}: … and ${error.issues.length - MAX_ISSUES} more problems`);
  return lines.join('\n');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string, code: ErrorCode = 'SPEC_INVALID'): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new PeftLabError(code, formatIssues(r.error, where), { issues: r.error.issues });
  return r.data;
}
