// `peft-lab generate`: text from a base model, optionally with an adapter; greedy or sampled; streams tokens to
// stdout, or prints one JSON object with --json.
import type { Command } from 'commander';
import { withBaseOptions } from '../base-options';
import { backendChoice, collect, idList, nonNegativeInt, nonNegativeNumber, positiveInt, topP } from '../options';
import type { GenerateCliOptions } from '../actions/generate';

export function registerGenerate(program: Command): void {
  const cmd = program
    .command('generate')
    .description('generate text with a model, with or without an adapter')
    .requiredOption('--model <dir>', 'Hugging Face model folder')
    .option('--adapter <dir>', 'PEFT adapter folder (adapter_config.json + adapter_model.safetensors)')
    .option('--prompt <text>', 'prompt text (needs tokenizer.json)')
    .option('--prompt-ids <ids>', 'prompt as token ids, e.g. 1,2,3 (no tokenizer needed)', idList)
    .option('--template <kind>', 'wrap --prompt as the instruction of a template: alpaca | dolly')
    .option('--max-new-tokens <n>', 'tokens to generate at most', positiveInt, 64)
    .option('--greedy', 'argmax decoding (the default unless --temperature is given)')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', nonNegativeNumber)
    .option('--top-p <p>', 'nucleus sampling', topP, 1)
    .option('--top-k <k>', 'top-k sampling (0 = off)', nonNegativeInt, 0)
    .option('--seed <n>', 'sampling seed', nonNegativeInt, 0)
    .option('--stop <text>', 'stop string (repeatable), e.g. "### End"', collect, [])
    .option('--backend <name>', 'auto | cpu | wasm | webgpu | tensorflow', backendChoice, 'auto');
  withBaseOptions(cmd, 'store the base\'s linear weights at 32 | 16 | 8 | 4 bits (default: as the checkpoint stores them)')
    .option('--json', 'print one JSON object {ids, text, ...} instead of streaming')
    .action(async (o: GenerateCliOptions) => (await import('../actions/generate')).run(o));
}
