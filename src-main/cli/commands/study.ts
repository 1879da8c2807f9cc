// `peft-lab study list` and `peft-lab study run NAME [--quick]`: study presets that reproduce published PEFT
// results at the demo model's scale, with a verdict computed from the stored runs (src-main/studies).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { positiveInt } from '../options';
import type { StudyRunOptions } from '../../studies/cli';

function seedList(value: string): number[] {
  const seeds = value.split(',').map((x) => Number(x.trim()));
  if (!seeds.length || seeds.some((n) => !Number.isInteger(n) || n < 0) || new Set(seeds).size !== seeds.length) {
    throw new InvalidArgumentError('expected distinct whole numbers ≥ 0, separated by commas.');
  }
  return seeds;
}

export function registerStudy(program: Command): void {
  const study = program.command('study').description('study presets: re-run published PEFT experiments on the demo model and compare');
  study
    .command('list')
    .description('list the study presets: question, grid, metrics, published finding, run sizes')
    .option('--json', 'print the list as JSON')
    .action(async (o: { json?: boolean }) => (await import('../../studies/cli')).listStudies(o));
  study
    .command('run')
    .description('run a study preset headless and print its verdict table')
    .argument('<name>', 'preset id (peft-lab study list)')
    .option('--quick', 'the quick variant (fewer updates and seeds)')
    .option('--data-dir <dir>', 'data folder (database, runs); default ~/.peft-lab or PEFT_LAB_DATA')
    .option('--data <dir>', 'same as --data-dir')
    .option('--steps <n>', 'updates per run instead of the variant\'s (to try it out)', positiveInt)
    .option('--seeds <list>', 'seeds instead of the variant\'s, e.g. 42 or 42,7', seedList)
    .option('--concurrency <n>', 'runs at once (default: one per core on CPU backends)', positiveInt)
    .option('--json', 'print the verdict as JSON')
    .action(async (name: string, o: StudyRunOptions) => (await import('../../studies/cli')).runStudy(name, o));
  for (const c of study.commands) c.exitOverride().showHelpAfterError('(add --help for usage)');
}
