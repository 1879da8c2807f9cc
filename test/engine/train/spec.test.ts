import { describe, expect, it } from 'vitest';
import {
  DatasetSpecSchema,
  SequenceSpecSchema,
  TemplateSpecSchema,
  datasetFormatOf,
} from '../../../src-shared/domain/data';
import { fillPlaceholders, parsePlaceholders, placeholderNames } from '../../../src-shared/domain/placeholders';
import { expectPeftError } from './helpers';

describe('DatasetSpecSchema', () => {
  it('fills defaults', () => {
    expect(DatasetSpecSchema.parse({ path: 'd.jsonl' })).toEqual({ path: 'd.jsonl', validationSplit: 0.1, splitSeed: 0 });
  });
  it('accepts 0 and rejects out-of-range splits, unknown keys and bad maxExamples', () => {
    expect(DatasetSpecSchema.parse({ path: 'd.csv', validationSplit: 0 }).validationSplit).toBe(0);
    expect(DatasetSpecSchema.safeParse({ path: 'd.csv', validationSplit: 1 }).success).toBe(false);
    expect(DatasetSpecSchema.safeParse({ path: 'd.csv', validationSplit: -0.1 }).success).toBe(false);
    expect(DatasetSpecSchema.safeParse({ path: 'd.csv', validation_split: 0.2 }).success).toBe(false);
    expect(DatasetSpecSchema.safeParse({ path: 'd.csv', maxExamples: 0 }).success).toBe(false);
    expect(DatasetSpecSchema.safeParse({ path: 'd.csv', format: 'xml' }).success).toBe(false);
    expect(DatasetSpecSchema.safeParse({ path: '' }).success).toBe(false);
  });
  it('derives the format from the extension', async () => {
    expect(datasetFormatOf({ path: 'a/b.JSONL' })).toBe('jsonl');
    expect(datasetFormatOf({ path: 'b.ndjson' })).toBe('jsonl');
    expect(datasetFormatOf({ path: 'c.json' })).toBe('json');
    expect(datasetFormatOf({ path: 'c:\\x\\d.csv' })).toBe('csv');
    expect(datasetFormatOf({ path: 'e.txt', format: 'csv' })).toBe('csv');
    await expectPeftError(() => datasetFormatOf({ path: 'data' }), 'DATASET_INVALID', 'data', '(none)', 'dataset.format');
  });
});

describe('TemplateSpecSchema', () => {
  it('accepts the four kinds', () => {
    for (const t of [
      { kind: 'alpaca' },
      { kind: 'dolly' },
      { kind: 'custom', prompt: 'Q: {q}\nA:', response: ' {a}' },
      { kind: 'chat', user: '{q}', assistant: '{a}' },
      { kind: 'chat', system: 'Sys {{x}}', user: '{q}', assistant: '{a}' },
    ]) {
      expect(TemplateSpecSchema.parse(t)).toEqual(t);
    }
  });
  it('rejects unknown kinds, missing parts and broken braces', () => {
    expect(TemplateSpecSchema.safeParse({ kind: 'vicuna' }).success).toBe(false);
    expect(TemplateSpecSchema.safeParse({ kind: 'custom', prompt: '{q}' }).success).toBe(false);
    const r = TemplateSpecSchema.safeParse({ kind: 'custom', prompt: 'Q: {q', response: '{a}' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('template.prompt');
  });
});

describe('SequenceSpecSchema', () => {
  it('fills defaults and checks maxLength', () => {
    expect(SequenceSpecSchema.parse({ maxLength: 512 })).toEqual({ maxLength: 512, packing: false, lossOn: 'response', addEos: true });
    expect(SequenceSpecSchema.safeParse({ maxLength: 1 }).success).toBe(false);
    expect(SequenceSpecSchema.safeParse({ maxLength: 64.5 }).success).toBe(false);
    expect(SequenceSpecSchema.safeParse({ maxLength: 64, lossOn: 'prompt' }).success).toBe(false);
  });
});

describe('placeholders', () => {
  it('parses fields and escaped braces', () => {
    expect(parsePlaceholders('a {x} {{y}} }}{z}')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'field', name: 'x' },
      { kind: 'text', text: ' {y} }' },
      { kind: 'field', name: 'z' },
    ]);
    expect(placeholderNames('{b}{a}{b}')).toEqual(['b', 'a']);
    expect(fillPlaceholders('{col name}!', { 'col name': 'v' })).toBe('v!');
  });
  it('rejects lone, unclosed and empty braces with their position', async () => {
    await expectPeftError(() => parsePlaceholders('ab}c', 'template.user'), 'TEMPLATE_INVALID', 'template.user', 'lone "}" at character 3');
    await expectPeftError(() => parsePlaceholders('x {a'), 'TEMPLATE_INVALID', '"{" at character 3 is not closed');
    await expectPeftError(() => parsePlaceholders('x {a {b}'), 'TEMPLATE_INVALID', 'character 3');
    await expectPeftError(() => parsePlaceholders('x { }'), 'TEMPLATE_INVALID', 'empty placeholder');
  });
});
