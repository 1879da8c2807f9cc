// `peft-lab perplexity`: mean loss per target token and perplexity of a model (optionally with an adapter) on a
// dataset file, rendered with a template exactly as training would see it (no split: the whole file).
import type { Command } from 'commander';
import { withBaseOptions } from '../base-options';
import { backendChoice, positiveInt } from '../options';
import type { PerplexityOptions } from '../actions/perplexity';

export function registerPerplexity(program: Command): void {
  const cmd = program
    .command('perplexity')
    .description('validation loss and perplexity of a model (+ adapter) on a dataset file')
    .requiredOption('--model <dir>', 'Hugging Face model folder')
    .option('--adapter <dir>', 'PEFT adapter folder')
    .requiredOption('--dataset <file>', 'JSONL, JSON or CSV file')
    .option('--template <kind>', 'alpaca | dolly | custom (with --prompt/--response)', 'alpaca')
    .option('--prompt <text>', 'custom template prompt, e.g. "Q: {question}\\nA: "')
    .option('--response <text>', 'custom template response, e.g. "{answer}"')
    .option('--max-length <n>', 'tokens per example at most', positiveInt, 512)
    .option('--batch-size <n>', 'rows per forward pass', positiveInt, 8)
    .option('--loss-on <part>', 'response | all', 'response')
    .option('--backend <name>', 'auto | cpu | wasm | webgpu | tensorflow', backendChoice, 'auto');
  withBaseOptions(cmd, 'store the base\'s linear weights at 32 | 16 | 8 | 4 bits (default: as the checkpoint stores them)')
    .option('--json', 'print one JSON object')
    .action(async (o: PerplexityOptions) => (await import('../actions/perplexity')).perplexity(o));
}
