// `peft-lab demo`: the embedded demo study (resources/demo/sweep.json on the WordNet demo model), run by an
// in-process host, then the summary table: configuration, trainable parameters, time, losses and one answer per run.
import type { Command } from 'commander';
import type { DemoCliOptions } from '../actions/demo';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the demo study (LoRA r × target modules × base bits on the bundled WordNet model) and print its summary')
    .option('--data <dir>', 'data folder (database, runs); default ~/.peft-lab or PEFT_LAB_DATA')
    .option('--preset <file>', 'run this sweep spec instead of resources/demo/sweep.json')
    .option('--json', 'print the summary as one JSON object')
    .action(async (o: DemoCliOptions) => (await import('../actions/demo')).runDemo(o));
}
