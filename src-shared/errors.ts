// Errors that a person acts on. Every error the engine, CLI or host raises for bad input is a PeftLabError:
// a stable `code` for programs, a message that names the file/field and says how to fix it, and optional
// details. Errors cross process boundaries as plain objects ({name, code, message, stack, details}) and are
// rebuilt on the other side with `errorFromWire`.

export type ErrorCode =
  | 'BAD_ARGUMENT'
  | 'FILE_NOT_FOUND'
  | 'SAFETENSORS_INVALID'
  | 'CHECKPOINT_MISMATCH'
  | 'CONFIG_INVALID'
  | 'TOKENIZER_INVALID'
  | 'DATASET_INVALID'
  | 'TEMPLATE_INVALID'
  | 'ADAPTER_INVALID'
  | 'UNKNOWN_TARGET_MODULE'
  | 'RANK_TOO_LARGE'
  | 'BACKEND_UNAVAILABLE'
  | 'SPEC_INVALID'
  | 'NAN_LOSS'
  | 'STORE_INVALID'
  | 'RESUME_MISMATCH'
  | 'CANCELLED'
  | 'HUB_AUTH'
  | 'HUB_UNAVAILABLE'
  | 'CHECKSUM_MISMATCH'
  | 'DISK_FULL'
  | 'FOLDER_NOT_WRITABLE'
  | 'INTERNAL';

export class PeftLabError extends Error {
  override readonly name = 'PeftLabError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export interface WireError {
  name: string;
  code: ErrorCode;
  message: string;
  stack?: string;
  details?: Record<string, unknown>;
}

export function errorToWire(err: unknown): WireError {
  if (err instanceof PeftLabError) {
    return { name: err.name, code: err.code, message: err.message, stack: err.stack, details: err.details };
  }
  if (err instanceof Error) {
    return { name: err.name, code: 'INTERNAL', message: err.message, stack: err.stack };
  }
  return { name: 'Error', code: 'INTERNAL', message: String(err) };
}

export function errorFromWire(w: WireError): PeftLabError {
  const e = new PeftLabError(w.code, w.message, w.details);
  if (w.stack) e.stack = w.stack;
  return e;
}

export function isPeftLabError(err: unknown, code?: ErrorCode): err is PeftLabError {
  return err instanceof PeftLabError && (code === undefined || err.code === code);
}
