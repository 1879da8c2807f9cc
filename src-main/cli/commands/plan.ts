// `peft-lab plan`: trainable parameters, all parameters and a memory estimate for a method on a model folder
// (a config.json alone is enough).
import type { Command } from 'commander';
import { nameList, positiveInt, positiveNumber, probability } from '../options';
import type { PlanOptions } from '../actions/plan';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('trainable parameters (as PEFT prints them) and a memory estimate; works on a config.json-only folder')
    .requiredOption('--model <dir>', 'Hugging Face model folder (config.json is enough)')
    .option('--method <name>', 'fine-tuning method', 'lora')
    .option('--r <n>', 'LoRA rank', positiveInt, 8)
    .option('--alpha <n>', 'lora_alpha (PEFT default 8)', positiveNumber)
    .option('--dropout <p>', 'lora_dropout', probability, 0)
    .option('--rslora', 'rank-stabilised scaling alpha/sqrt(r)')
    .option('--targets <names>', 'target modules: q_proj,v_proj | all-linear | names incl. lm_head', nameList)
    .option('--batch-size <n>', 'rows per step, for the memory estimate', positiveInt, 8)
    .option('--seq-len <n>', 'tokens per row, for the memory estimate', positiveInt, 512)
    .option('--json', 'print one JSON object')
    .action(async (o: PlanOptions) => (await import('../actions/plan')).plan(o));
}
