// `peft-lab merge`: merge an adapter into its base and write a complete Hugging Face folder (merge_and_unload).
import type { Command } from 'commander';
import { backendChoice } from '../options';
import type { MergeOptions } from '../actions/merge';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge an adapter into its base model and write a complete Hugging Face model folder')
    .requiredOption('--model <dir>', 'base model folder')
    .requiredOption('--adapter <dir>', 'PEFT adapter folder')
    .requiredOption('--out <dir>', 'folder to write (config.json, model.safetensors, tokenizer files)')
    .option('--dtype <dtype>', 'storage of the merged weights: f32 | bf16 | f16', 'f32')
    .option('--backend <name>', 'auto | cpu | wasm | webgpu | tensorflow', backendChoice, 'auto')
    .option('--json', 'print one JSON object')
    .action(async (o: MergeOptions) => (await import('../actions/merge')).merge(o));
}
