// `peft-lab quantize`: write a bitsandbytes-quantised copy of a model folder, as Transformers saves one.
import { resolveBaseOptions } from '../../../src-shared/domain/base-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { quantizeModelFolder } from '../../engine/quant/quantize-model';
import type { BaseCliOptions } from '../base-options';
import { baseSpecFromCli } from '../base-options';
import { printJson, printLines } from '../output';

export interface QuantizeCliOptions extends BaseCliOptions {
  model: string;
  out: string;
  json?: boolean;
}

export async function quantize(o: QuantizeCliOptions): Promise<void> {
  if (o.bits === undefined) throw new PeftLabError('BAD_ARGUMENT', 'give --bits 4 or --bits 8');
  const base = resolveBaseOptions(baseSpecFromCli(o));
  const r = await quantizeModelFolder(o.model, o.out, base);
  if (o.json) printJson(r);
  else {
    printLines([
      `wrote ${r.out}: ${r.format}, ${r.quantizedModules} linear modules (${r.quantizedParams.toLocaleString('en-US')} weights)`,
      `  ${r.bitsPerWeight.toFixed(3)} bits per quantised weight; model.safetensors ${r.fileBytes.toLocaleString('en-US')} bytes; copied ${r.copied.join(', ') || 'no tokenizer files'}`,
    ]);
  }
}
