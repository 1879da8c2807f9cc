// The `peft-lab` command: plan, generate, train, perplexity, backends. Every subcommand has --help; unknown
// flags and bad values are errors that name the flag; failures print "peft-lab: error: …" and exit non-zero.
import { Command, CommanderError } from 'commander';
import '../engine/adapters/index';
import { registerBackends } from './commands/backends';
import { registerGenerate } from './commands/generate';
import { registerPerplexity } from './commands/perplexity';
import { registerPlan } from './commands/plan';
import { registerTrain } from './commands/train';
import { reportError } from './output';

export function buildProgram(): Command {
  const program = new Command('peft-lab')
    .description('PEFT Lab: parameter-efficient fine-tuning experiments on LLaMA-family models (TensorFlow.js)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerPlan(program);
  registerGenerate(program);
  registerTrain(program);
  registerPerplexity(program);
  registerBackends(program);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // usage errors were already printed
    return reportError(err);
  }
}

process.exitCode = await main(process.argv.slice(2));
