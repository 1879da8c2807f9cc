import { describe, expect, it } from 'vitest';
import { renderExample, renderPrompt, templateFields } from '../../../src-main/engine/train/templates';
import { TextTokenizer } from '../../../src-main/engine/model/tokenizer';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../../helpers/tiny-tokenizer';
import { expectPeftError } from './helpers';

// Golden texts written out from the sources (Stanford Alpaca train.py PROMPT_DICT + README; Dolly training/consts.py).
const ALPACA_WITH_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n' +
  '\n' +
  '### Instruction:\n' +
  'Translate to French.\n' +
  '\n' +
  '### Input:\n' +
  'Good morning\n' +
  '\n' +
  '### Response:\n';
const ALPACA_NO_INPUT =
  'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n' +
  '\n' +
  '### Instruction:\n' +
  'Name a primary colour.\n' +
  '\n' +
  '### Response:\n';
const DOLLY_WITH_CONTEXT =
  'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n' +
  '\n' +
  '### Instruction:\n' +
  'When was the tower finished?\n' +
  '\n' +
  'Input:\n' +
  'The Eiffel Tower was finished in 1889.\n' +
  '\n' +
  '### Response:\n';
const DOLLY_NO_CONTEXT =
  'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n' +
  '\n' +
  '### Instruction:\n' +
  'Name a river.\n' +
  '\n' +
  '### Response:\n';

describe('alpaca', () => {
  it('uses the with-input prompt when input is non-empty', () => {
    const r = renderExample({ kind: 'alpaca' }, { instruction: 'Translate to French.', input: 'Good morning', output: 'Bonjour' });
    expect(r).toEqual({ prompt: ALPACA_WITH_INPUT, response: 'Bonjour' });
  });

  it('uses the no-input prompt when input is empty or missing', () => {
    const expected = { prompt: ALPACA_NO_INPUT, response: 'Red' };
    expect(renderExample({ kind: 'alpaca' }, { instruction: 'Name a primary colour.', input: '', output: 'Red' })).toEqual(expected);
    expect(renderExample({ kind: 'alpaca' }, { instruction: 'Name a primary colour.', output: 'Red' })).toEqual(expected);
  });

  it('does not interpret braces inside record values', () => {
    const r = renderExample({ kind: 'alpaca' }, { instruction: 'Echo {input}', input: '', output: '{{x}}' });
    expect(r.prompt).toContain('### Instruction:\nEcho {input}\n\n');
    expect(r.response).toBe('{{x}}');
  });

  it('renderPrompt needs no output; a missing instruction is an error', async () => {
    expect(renderPrompt({ kind: 'alpaca' }, { instruction: 'Name a primary colour.' })).toBe(ALPACA_NO_INPUT);
    await expectPeftError(() => renderExample({ kind: 'alpaca' }, { instruction: 'x' }), 'DATASET_INVALID', '"output"');
    await expectPeftError(() => renderPrompt({ kind: 'alpaca' }, { question: 'x' }), 'DATASET_INVALID', '"instruction"', 'Fields present: question');
  });
});

describe('dolly', () => {
  it('adds the "Input:" section when context is present, and "### End" after the response', () => {
    const r = renderExample(
      { kind: 'dolly' },
      { instruction: 'When was the tower finished?', context: 'The Eiffel Tower was finished in 1889.', response: '1889.' },
    );
    expect(r).toEqual({ prompt: DOLLY_WITH_CONTEXT, response: '1889.\n\n### End' });
  });

  it('leaves the section out when context is empty', () => {
    const r = renderExample({ kind: 'dolly' }, { instruction: 'Name a river.', context: '', response: 'The Rhine.' });
    expect(r).toEqual({ prompt: DOLLY_NO_CONTEXT, response: 'The Rhine.\n\n### End' });
  });
});

describe('custom', () => {
  it('fills placeholders and unescapes doubled braces', () => {
    const t = { kind: 'custom' as const, prompt: 'Q: {question}\nJSON {{"k": 1}}\nA:', response: ' {answer}' };
    expect(renderExample(t, { question: 'Why?', answer: 'Because.' })).toEqual({
      prompt: 'Q: Why?\nJSON {"k": 1}\nA:',
      response: ' Because.',
    });
    expect(renderPrompt(t, { question: 'Why?' })).toBe('Q: Why?\nJSON {"k": 1}\nA:');
  });

  it('an unknown placeholder names the placeholder and the available fields', async () => {
    const t = { kind: 'custom' as const, prompt: 'Q: {qestion}', response: '{answer}' };
    await expectPeftError(() => renderExample(t, { question: 'a', answer: 'b' }), 'TEMPLATE_INVALID', 'template.prompt', '{qestion}', 'Fields available: question, answer');
  });

  it('templateFields lists placeholders (response fields only for training)', () => {
    const t = { kind: 'custom' as const, prompt: '{a} {b} {a}', response: '{c}' };
    expect(templateFields(t)).toEqual({ required: ['a', 'b', 'c'], optional: [] });
    expect(templateFields(t, false)).toEqual({ required: ['a', 'b'], optional: [] });
    expect(templateFields({ kind: 'alpaca' })).toEqual({ required: ['instruction', 'output'], optional: ['input'] });
    expect(templateFields({ kind: 'dolly' }, false)).toEqual({ required: ['instruction'], optional: ['context'] });
  });
});

describe('chat', () => {
  const chatTok = TextTokenizer.fromJson(tinyTokenizerJson(), tinyTokenizerConfig({ chatTemplate: true }));
  const plainTok = TextTokenizer.fromJson(tinyTokenizerJson(), tinyTokenizerConfig());
  const t = { kind: 'chat' as const, system: 'Be brief.', user: 'What is {a}+{b}?', assistant: '{sum}' };

  it('formats system + user with the tokenizer chat template and the generation prompt', () => {
    const r = renderExample(t, { a: '2', b: '2', sum: '4' }, chatTok);
    expect(r).toEqual({ prompt: '<s><|system|>\nBe brief.</s>\n<|user|>\nWhat is 2+2?</s>\n<|assistant|>\n', response: '4' });
    expect(renderPrompt({ ...t, system: undefined }, { a: '1', b: '2' }, chatTok)).toBe('<s><|user|>\nWhat is 1+2?</s>\n<|assistant|>\n');
  });

  it('fails without a tokenizer chat template', async () => {
    await expectPeftError(() => renderExample(t, { a: '2', b: '2', sum: '4' }, plainTok), 'TEMPLATE_INVALID', 'chat template');
    await expectPeftError(() => renderExample(t, { a: '2', b: '2', sum: '4' }), 'TEMPLATE_INVALID', 'chat template');
  });
});
