// `peft-lab sweep plan|run sweep.json`: the pre-flight table of a sweep, or the whole sweep run by an in-process
// host (the same host code as the desktop and web mode), with progress on stderr and a summary on stdout.
import type { Command } from 'commander';
import { positiveInt } from '../options';
import type { SweepCliOptions } from '../actions/sweep';

export function registerSweep(program: Command): void {
  const sweep = program.command('sweep').description('plan or run a grid of runs from a sweep spec');
  sweep
    .command('plan')
    .description('print the pre-flight table: trainable params, memory, availability of every cell')
    .argument('<spec>', 'sweep spec JSON')
    .option('--data <dir>', 'data folder (database, runs); default ~/.peft-lab or PEFT_LAB_DATA')
    .option('--json', 'print the pre-flight as JSON')
    .action(async (spec: string, o: SweepCliOptions) => (await import('../actions/sweep')).planSweep(spec, o));
  sweep
    .command('run')
    .description('create the sweep, run every runnable cell, print a summary')
    .argument('<spec>', 'sweep spec JSON')
    .option('--data <dir>', 'data folder (database, runs); default ~/.peft-lab or PEFT_LAB_DATA')
    .option('--concurrency <n>', 'runs at once (default: one per core on CPU backends)', positiveInt)
    .option('--queue <url>', 'hand the cells to `peft-lab worker`s on other machines through this Redis queue (kept as the data folder\'s setting; --queue "" goes back to local workers)')
    .option('--json', 'print the final runs as JSON')
    .action(async (spec: string, o: SweepCliOptions) => (await import('../actions/sweep')).runSweep(spec, o));
  for (const c of sweep.commands) c.exitOverride().showHelpAfterError('(add --help for usage)');
}
