// The base-storage flags shared by the commands that load a model (generate, perplexity) and by `quantize`:
// --bits 32|16|8|4, --quant-type nf4|fp4, --double-quant / --no-double-quant, --blocksize, --int8-threshold,
// --half-type. They become a run spec's `base` section and are validated by the same schema.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { BaseSpec } from '../../src-shared/domain/base-spec';
import { BASE_BITS, BaseSpecSchema } from '../../src-shared/domain/base-spec';
import { PeftLabError } from '../../src-shared/errors';
import { parseWith } from '../../src-shared/domain/validate';
import { nonNegativeNumber, positiveInt } from './options';

export interface BaseCliOptions {
  bits?: number;
  quantType?: string;
  doubleQuant?: boolean;
  blocksize?: number;
  int8Threshold?: number;
  halfType?: string;
}

export function bitsChoice(value: string): number {
  const n = Number(value);
  if (!(BASE_BITS as readonly number[]).includes(n)) throw new InvalidArgumentError(`expected one of ${BASE_BITS.join(', ')}.`);
  return n;
}

/** Adds the flags; `bitsHelp` describes --bits for this command. */
export function withBaseOptions(cmd: Command, bitsHelp: string): Command {
  return cmd
    .option('--bits <n>', bitsHelp, bitsChoice)
    .option('--quant-type <type>', '4-bit code book: nf4 (QLoRA) | fp4')
    .option('--double-quant', '4-bit: quantise the absmax constants too (default for nf4)')
    .option('--no-double-quant', '4-bit: keep one float32 absmax per block (default for fp4)')
    .option('--blocksize <n>', '4-bit: weights per absmax block (power of two, 32…4096)', positiveInt)
    .option('--int8-threshold <t>', '8-bit: LLM.int8 outlier threshold (0 = off)', nonNegativeNumber)
    .option('--half-type <type>', '16-bit: bf16 | fp16');
}

/** The `base` section the flags describe; undefined when none is given (the model is used as stored). */
export function baseSpecFromCli(o: BaseCliOptions): BaseSpec | undefined {
  const given = { quantType: o.quantType, doubleQuant: o.doubleQuant, blocksize: o.blocksize, int8Threshold: o.int8Threshold, halfType: o.halfType };
  const extras = Object.entries(given).filter(([, v]) => v !== undefined);
  if (o.bits === undefined) {
    if (extras.length === 0) return undefined;
    throw new PeftLabError('BAD_ARGUMENT', `--${extras[0][0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --bits (e.g. --bits 4)`);
  }
  return parseWith(BaseSpecSchema, { bits: o.bits, ...Object.fromEntries(extras) }, 'flags', 'BAD_ARGUMENT');
}
