// Shared assertions for the train tests.
import { expect } from 'vitest';
import { isPeftLabError } from '../../../src-shared/errors';

/** Runs `fn` (sync or async) and checks it fails with a PeftLabError of `code` whose message contains `parts`. */
export async function expectPeftError(fn: () => unknown, code: string, ...parts: string[]): Promise<Error> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(isPeftLabError(err), `expected a PeftLabError, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  for (const part of parts) expect((err as Error).message).toContain(part);
  return err as Error;
}
