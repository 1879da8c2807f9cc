// Hostile sweep specs through SweepSpecSchema (issue 9): a valid spec with fields dropped or replaced, and single
// fields of each section (axes, training, dataset, sequence, template, lora) set to hostile values. Each parses, or
// is refused with SPEC_INVALID listing "sweep.json: path.to.field: problem"; a host's sweeps/create with such
// specs is in host.fuzz.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import { parseWith } from '../../src-shared/domain/validate';
import { hostileJson, mutatedObject, nestedArray } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily } from './fuzz-kit';

const fuzz = fuzzFamily('sweep specs');

describe('sweep specs', () => {
  it('SweepSpecSchema on specs with fields dropped or replaced: parsed or SPEC_INVALID naming the field', async () => {
    const spec: Record<string, unknown> = {
      name: 'tiny 2x2', model: '/m', dataset: { path: '/d.jsonl', validationSplit: 0.2 },
      template: { kind: 'custom', prompt: '{instruction}\n', response: '{output}' }, sequence: { maxLength: 64 },
      training: { maxSteps: 20, batchSize: 4, learningRate: 0.01, evalEvery: 10, checkpointEvery: 10 },
      axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }] }, backend: 'wasm',
    };
    expect(parseWith(SweepSpecSchema, spec, 'sweep.json').axes.r).toEqual([2, 4]); // the base spec is valid
    const nested = (key: string) => fc.record({ [key]: hostileJson });
    const specs = fc.oneof(
      mutatedObject(spec, ['lora']),
      fc.tuple(fc.constantFrom('axes', 'training', 'dataset', 'sequence', 'template', 'lora'), fc.constantFrom('r', 'method', 'targets', 'bits', 'loraAlpha', 'seed', 'learningRate', 'maxSteps', 'batchSize', 'path', 'maxLength', 'kind', 'dropout'))
        .chain(([section, key]) => nested(key).map((v) => ({ ...spec, [section]: { ...(spec[section] as object), ...v } }))),
    );
    await fuzz.check(fc.asyncProperty(specs, async (s) => {
      await acceptOrClear(() => parseWith(SweepSpecSchema, s, 'sweep.json'), { codes: ['SPEC_INVALID'], mentions: ['sweep.json: '] });
      return true;
    }), 400);
    // Axis values nested too deep to print: the "values must be distinct" check must not stringify them.
    await expectRefused(() => parseWith(SweepSpecSchema, { ...spec, axes: { r: [nestedArray(50_000), nestedArray(50_000)] } }, 'sweep.json'), { codes: ['SPEC_INVALID'], mentions: ['axes.r'] });
    fuzz.count(1);
  });

});
