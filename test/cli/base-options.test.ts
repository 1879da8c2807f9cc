// The --bits family of flags (cli/base-options.ts): parsed into a run spec's `base` section by the same schema,
// with errors that name the flag.
import { describe, expect, it } from 'vitest';
import { baseSpecFromCli, bitsChoice } from '../../src-main/cli/base-options';
import { quantizeModelFolder } from '../../src-main/engine/quant/quantize-model';
import { resolveBaseOptions } from '../../src-shared/domain/base-spec';

describe('base flags', () => {
  it('no flags: the model is used as stored', () => {
    expect(baseSpecFromCli({})).toBeUndefined();
  });

  it('--bits with the defaults of that width', () => {
    expect(baseSpecFromCli({ bits: 4 })).toEqual({ bits: 4, quantType: 'nf4', blocksize: 64, int8Threshold: 6, halfType: 'bf16' });
    expect(resolveBaseOptions(baseSpecFromCli({ bits: 4 })).doubleQuant).toBe(true); // nf4: QLoRA's double quantisation
    expect(resolveBaseOptions(baseSpecFromCli({ bits: 4, quantType: 'fp4' })).doubleQuant).toBe(false);
    expect(baseSpecFromCli({ bits: 4, quantType: 'fp4', doubleQuant: true, blocksize: 128 })).toMatchObject({ doubleQuant: true, blocksize: 128 });
    expect(baseSpecFromCli({ bits: 8, int8Threshold: 0 })).toMatchObject({ bits: 8, int8Threshold: 0 });
  });

  it('names the bad flag', () => {
    expect(() => bitsChoice('5')).toThrow('expected one of 32, 16, 8, 4.');
    expect(() => baseSpecFromCli({ quantType: 'fp4' })).toThrow('--quant-type needs --bits');
    expect(() => baseSpecFromCli({ int8Threshold: 1 })).toThrow('--int8-threshold needs --bits');
    expect(() => baseSpecFromCli({ bits: 4, blocksize: 48 })).toThrow('flags: blocksize: must be a power of two from 32 to 4096');
    expect(() => baseSpecFromCli({ bits: 4, quantType: 'nf3' })).toThrow('flags: quantType');
  });

  it('quantize writes 4 or 8 bits only', async () => {
    await expect(quantizeModelFolder('a', 'b', resolveBaseOptions(baseSpecFromCli({ bits: 16 })))).rejects.toMatchObject({
      code: 'BAD_ARGUMENT', message: expect.stringContaining('use --bits 4 or --bits 8'),
    });
  });
});
