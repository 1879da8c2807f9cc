// `peft-lab train --spec run.json`: one training run; JSON-lines events on stdout (start, step, eval,
// checkpoint, finished | failed); the adapter lands in the spec's output folder in PEFT's format.
import type { Command } from 'commander';
import { backendChoice } from '../options';
import type { TrainCliOptions } from '../actions/train';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('run one training from a JSON run spec; prints JSON-lines events')
    .requiredOption('--spec <file>', 'run spec (model, dataset, template, sequence, method, training, output)')
    .option('--backend <name>', 'override the spec\'s backend: auto | cpu | wasm | webgpu | tensorflow', backendChoice)
    .option('--resume', 'continue from the newest checkpoint in the output folder')
    .option('--gradient-checkpointing', 'recompute each decoder layer during backprop instead of keeping its activations (less memory, ~1/3 more compute); overrides the spec\'s training.gradientCheckpointing')
    .action(async (o: TrainCliOptions) => (await import('../actions/train')).train(o));
}
