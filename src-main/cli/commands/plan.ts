// `peft-lab plan`: trainable parameters, all parameters and a memory estimate for a method on a model folder
// (a config.json alone is enough).
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { MORA_TYPES } from '../../../src-shared/domain/methods';
import type { MoraType } from '../../../src-shared/domain/methods';
import { nameList, positiveInt, positiveNumber, probability } from '../options';
import type { PlanOptions } from '../actions/plan';

function moraTypeChoice(value: string): MoraType {
  const t = Number(value);
  if (!(MORA_TYPES as readonly number[]).includes(t)) throw new InvalidArgumentError(`expected one of ${MORA_TYPES.join(', ')}.`);
  return t as MoraType;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('trainable parameters (as PEFT prints them) and a memory estimate; works on a config.json-only folder')
    .requiredOption('--model <dir>', 'Hugging Face model folder (config.json is enough)')
    .option('--method <name>', 'fine-tuning method: lora | mora | ia3 | prompt | prefix | full', 'lora')
    .option('--r <n>', 'LoRA rank (MoRA: the rank whose parameter budget its square matrix matches)', positiveInt, 8)
    .option('--virtual-tokens <n>', 'prompt/prefix tuning: virtual tokens (default 20)', positiveInt)
    .option('--prefix-projection', 'prefix tuning through the reparametrisation MLP')
    .option('--mora-type <t>', 'MoRA type: 1 (sharing, large r) | 6 (RoPE, small r); 2, 3, 4 also exist (default 1)', moraTypeChoice)
    .option('--alpha <n>', 'lora_alpha (PEFT default 8)', positiveNumber)
    .option('--dropout <p>', 'lora_dropout', probability, 0)
    .option('--rslora', 'rank-stabilised scaling alpha/sqrt(r)')
    .option('--targets <names>', 'target modules: q_proj,v_proj | all-linear | names incl. lm_head (IA3 default: k_proj,v_proj,down_proj)', nameList)
    .option('--batch-size <n>', 'rows per step, for the memory estimate', positiveInt, 8)
    .option('--seq-len <n>', 'tokens per row, for the memory estimate', positiveInt, 512)
    .option('--gradient-checkpointing', 'estimate memory with activation recomputation (training.gradientCheckpointing)')
    .option('--json', 'print one JSON object')
    .action(async (o: PlanOptions) => (await import('../actions/plan')).plan(o));
}
