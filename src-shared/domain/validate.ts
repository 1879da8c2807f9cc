// Turns schema failures into one PeftLabError whose message lists every problem as `where: path.to.field: message`,
// so a person sees which field of which file to fix.
import type { z } from 'zod';
import type { ErrorCode } from '../errors';
import { PeftLabError } from '../errors';

export function formatIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map((i) => {
      const path = i.path.length ? i.path.map(String).join('.') : '(root)';
      return `${where}: ${path}: ${i.message}`;
    })
    .join('\n');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string, code: ErrorCode = 'SPEC_INVALID'): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new PeftLabError(code, formatIssues(r.error, where), { issues: r.error.issues });
  return r.data;
}
