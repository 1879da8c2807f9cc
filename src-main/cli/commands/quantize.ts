// `peft-lab quantize`: write a bitsandbytes-quantised copy of a model folder, as Transformers saves one.
import type { Command } from 'commander';
import { withBaseOptions } from '../base-options';
import type { QuantizeCliOptions } from '../actions/quantize';

export function registerQuantize(program: Command): void {
  const cmd = program
    .command('quantize')
    .description('write a 4-bit (NF4/FP4) or 8-bit (LLM.int8) bitsandbytes copy of a model folder')
    .requiredOption('--model <dir>', 'Hugging Face model folder (float32, float16 or bfloat16 weights)')
    .requiredOption('--out <dir>', 'folder to write: config.json with quantization_config, model.safetensors, tokenizer files');
  withBaseOptions(cmd, '4 | 8 (required)')
    .option('--json', 'print one JSON object')
    .action(async (o: QuantizeCliOptions) => (await import('../actions/quantize')).quantize(o));
}
