// The one error every backend descriptor throws when it cannot load: what failed and what a person can do.
import { PeftLabError } from '../../../src-shared/errors';
import type { BackendName } from './types';

export function backendUnavailable(name: BackendName, reason: string, cause?: unknown): PeftLabError {
  const details: Record<string, unknown> = { backend: name, reason };
  if (cause !== undefined) details.cause = cause instanceof Error ? cause.message : String(cause);
  return new PeftLabError('BACKEND_UNAVAILABLE', `The ${name} backend cannot be used: ${reason}`, details);
}

/** The message of any thrown value, for reasons and logs. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
