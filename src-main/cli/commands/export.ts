// `peft-lab export`: a sweep's study summary as CSV or Markdown, or the whole sweep (configurations, metrics,
// prompts, samples, ratings, pairwise judgements) as JSON; to stdout or a file.
import type { Command } from 'commander';
import { positiveInt } from '../options';
import type { ExportCliOptions } from '../actions/export';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a sweep: summary table (csv | md) or everything stored about it (json)')
    .requiredOption('--sweep <id>', 'sweep id (as shown in the app and by the store)', positiveInt)
    .requiredOption('--format <format>', 'csv | md | json')
    .option('--data <dir>', 'data folder (database, runs); default $PEFT_LAB_DATA or ~/.peft-lab')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: ExportCliOptions) => (await import('../actions/export')).run(o));
}
