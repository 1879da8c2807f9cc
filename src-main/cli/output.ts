// How the CLI reports results and failures: JSON on stdout when asked (one object or JSON lines), readable text
// otherwise; errors on stderr as "peft-lab: error: <message>" with a non-zero exit code.
import { isPeftLabError } from '../../src-shared/errors';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function reportError(err: unknown): number {
  if (isPeftLabError(err)) {
    process.stderr.write(`peft-lab: error: ${err.message}\n`);
    return 1;
  }
  const e = err as Error;
  process.stderr.write(`peft-lab: internal error: ${e?.stack ?? String(err)}\n`);
  return 70; // EX_SOFTWARE
}
