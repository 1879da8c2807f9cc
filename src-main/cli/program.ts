// The `peft-lab` program: its subcommands and their options. Every subcommand has --help; unknown flags and bad
// values are errors that name the flag.
import { Command } from 'commander';
import { registerBackends } from './commands/backends';
import { registerBackup } from './commands/backup';
import { registerDemo } from './commands/demo';
import { registerExport } from './commands/export';
import { registerGenerate } from './commands/generate';
import { registerPerplexity } from './commands/perplexity';
import { registerMerge } from './commands/merge';
import { registerPlan } from './commands/plan';
import { registerQuantize } from './commands/quantize';
import { registerSweep } from './commands/sweep';
import { registerStudy } from './commands/study';
import { registerServe } from './commands/serve';
import { registerTrain } from './commands/train';
import { registerDownload } from './commands/download';
import { registerModels } from './commands/models';
import { registerWorker } from './commands/worker';

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
  registerSweep(program);
  registerMerge(program);
  registerQuantize(program);
  registerServe(program);
  registerDemo(program);
  registerExport(program);
  registerDownload(program);
  registerModels(program);
  registerStudy(program);
  registerBackup(program);
  registerWorker(program);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
}

