// The `peft-lab` command: parses argv, runs the subcommand, prints "peft-lab: error: …" and exits non-zero on failure
// (2 for usage errors, 1 for bad input, 70 for an internal error).
import { CommanderError } from 'commander';
import { reportError } from './output';
import { buildProgram } from './program';

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0; // a command may have set it (runs not finished)
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // usage errors were already printed
    return reportError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
