import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecords, loadTrainValidation } from '../../../src-main/engine/train/dataset';
import { firstInvalidUtf8 } from '../../../src-main/engine/train/text-file';
import { expectPeftError } from './helpers';

let dir: string;
const alpacaNeeds = { required: ['instruction', 'output'], optional: ['input'] };

async function file(name: string, content: string | Uint8Array): Promise<string> {
  await writeFile(join(dir, name), content);
  return name;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peft-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JSONL', () => {
  it('reads one object per line, skipping blank lines, with CRLF and a BOM', async () => {
    const path = await file(
      'a.jsonl',
      '\uFEFF{"instruction": "Say hi", "input": "", "output": "hi"}\r\n\r\n   \n{"instruction": "Add", "input": "1+1", "output": 2}\n',
    );
    expect(await loadRecords({ path }, dir, alpacaNeeds)).toEqual([
      { instruction: 'Say hi', output: 'hi', input: '' },
      { instruction: 'Add', output: '2', input: '1+1' },
    ]);
  });

  it('a malformed line is an error with its line number and a snippet', async () => {
    const path = await file('bad.jsonl', '{"instruction": "a", "output": "b"}\n\n{"instruction": "c", "output": \n');
    await expectPeftError(() => loadRecords({ path }, dir), 'DATASET_INVALID', 'bad.jsonl', 'line 3', '`{"instruction": "c", "output":`');
  });

  it('a line that is not an object is an error', async () => {
    const path = await file('arr.jsonl', '{"instruction": "a", "output": "b"}\n["x"]\n');
    await expectPeftError(() => loadRecords({ path }, dir), 'DATASET_INVALID', 'line 2', 'an array');
  });

  it('a missing required field names the line, the field and the fields present', async () => {
    const path = await file('missing.jsonl', '{"instruction": "a", "output": "b"}\n{"instruction": "c", "answer": "d"}\n');
    await expectPeftError(() => loadRecords({ path }, dir, alpacaNeeds), 'DATASET_INVALID', 'missing.jsonl line 2', 'missing field "output"', 'Fields present: instruction, answer');
  });

  it('maps template fields to columns', async () => {
    const path = await file('mapped.jsonl', '{"q": "Capital of France?", "a": "Paris", "extra": {"x": 1}}\n');
    const records = await loadRecords({ path, fields: { instruction: 'q', output: 'a' } }, dir, alpacaNeeds);
    expect(records).toEqual([{ instruction: 'Capital of France?', output: 'Paris', input: '' }]);
    await expectPeftError(
      () => loadRecords({ path, fields: { instruction: 'q', output: 'answer' } }, dir, alpacaNeeds),
      'DATASET_INVALID',
      'line 1',
      'column "answer" (template field "output")',
      'Fields present: q, a, extra',
    );
  });

  it('converts numbers and booleans, rejects objects, arrays and null required values', async () => {
    const ok = await file('types.jsonl', '{"instruction": 12.5, "output": true, "input": null}\n');
    expect(await loadRecords({ path: ok }, dir, alpacaNeeds)).toEqual([{ instruction: '12.5', output: 'true', input: '' }]);
    const obj = await file('obj.jsonl', '{"instruction": "a", "output": "b"}\n{"instruction": {"text": "x"}, "output": "y"}\n');
    await expectPeftError(() => loadRecords({ path: obj }, dir, alpacaNeeds), 'DATASET_INVALID', 'line 2', 'field "instruction" is an object');
    const arr = await file('arrval.jsonl', '{"instruction": "a", "output": ["b"]}\n');
    await expectPeftError(() => loadRecords({ path: arr }, dir, alpacaNeeds), 'DATASET_INVALID', 'line 1', 'field "output" is an array');
    const nul = await file('null.jsonl', '{"instruction": "a", "output": null}\n');
    await expectPeftError(() => loadRecords({ path: nul }, dir, alpacaNeeds), 'DATASET_INVALID', 'line 1', 'null value in field "output"');
  });

  it('without field needs keeps every column', async () => {
    const path = await file('all.jsonl', '{"a": "x", "n": 3}\n');
    expect(await loadRecords({ path }, dir)).toEqual([{ a: 'x', n: '3' }]);
  });

  it('honours maxExamples', async () => {
    const path = await file('many.jsonl', [1, 2, 3, 4].map((i) => `{"instruction": "i${i}", "output": "o${i}"}`).join('\n'));
    const records = await loadRecords({ path, maxExamples: 2 }, dir, alpacaNeeds);
    expect(records.map((r) => r.instruction)).toEqual(['i1', 'i2']);
  });
});

describe('JSON', () => {
  it('reads an array of objects or {"data": [...]}', async () => {
    const a = await file('a.json', '[{"instruction": "x", "output": "y"}]');
    const b = await file('b.json', '{"data": [{"instruction": "x", "output": "y"}], "version": 2}');
    expect(await loadRecords({ path: a }, dir, alpacaNeeds)).toEqual([{ instruction: 'x', output: 'y', input: '' }]);
    expect(await loadRecords({ path: b }, dir, alpacaNeeds)).toEqual([{ instruction: 'x', output: 'y', input: '' }]);
  });

  it('errors name the record index, or the line of a syntax error', async () => {
    const notObj = await file('c.json', '[{"instruction": "x", "output": "y"}, "oops"]');
    await expectPeftError(() => loadRecords({ path: notObj }, dir), 'DATASET_INVALID', 'record 2 (index 1)', 'a string');
    const missing = await file('d.json', '[{"instruction": "x", "output": "y"}, {"instruction": "z"}]');
    await expectPeftError(() => loadRecords({ path: missing }, dir, alpacaNeeds), 'DATASET_INVALID', 'record 2 (index 1)', 'missing field "output"', 'Fields present: instruction');
    const syntax = await file('e.json', '[\n  {"instruction": "x"},\n  {"instruction": "y",}\n]');
    await expectPeftError(() => loadRecords({ path: syntax }, dir), 'DATASET_INVALID', 'e.json', 'not valid JSON (line 3)');
    const scalar = await file('f.json', '{"rows": []}');
    await expectPeftError(() => loadRecords({ path: scalar }, dir), 'DATASET_INVALID', 'without a "data" array');
  });
});

describe('CSV', () => {
  it('parses a header row, quoted commas, doubled quotes and newlines in quotes', async () => {
    const path = await file(
      'a.csv',
      'instruction,input,output\n' +
        '"Split ""a,b""",,"[""a"", ""b""]"\n' +
        '\n' +
        'Write two lines,,"line one\nline two"\n',
    );
    expect(await loadRecords({ path }, dir, alpacaNeeds)).toEqual([
      { instruction: 'Split "a,b"', input: '', output: '["a", "b"]' },
      { instruction: 'Write two lines', input: '', output: 'line one\nline two' },
    ]);
  });

  it('names the line of a record with a missing column', async () => {
    // Record 1 spans lines 2-3, a blank line 4 is skipped, record 2 starts on line 5.
    const path = await file('b.csv', 'instruction,answer\n"multi\nline",x\n\nq,y\n');
    const err = await expectPeftError(() => loadRecords({ path }, dir, alpacaNeeds), 'DATASET_INVALID', 'b.csv line 2', 'missing field "output"', 'Fields present: instruction, answer');
    expect(err.message).not.toContain('line 5');
    const mapped = await loadRecords({ path, fields: { output: 'answer' } }, dir, alpacaNeeds);
    expect(mapped.map((r) => r.output)).toEqual(['x', 'y']);
  });

  it('reports ragged rows, unclosed quotes and bad headers with line numbers', async () => {
    const ragged = await file('c.csv', 'a,b\n1,2\n3,4,5\n');
    await expectPeftError(() => loadRecords({ path: ragged }, dir), 'DATASET_INVALID', 'c.csv', 'line 3');
    const unclosed = await file('d.csv', 'a,b\n1,"open\n');
    await expectPeftError(() => loadRecords({ path: unclosed }, dir), 'DATASET_INVALID', 'd.csv', 'line 2', 'Quote Not Closed');
    const dup = await file('e.csv', 'a,a\n1,2\n');
    await expectPeftError(() => loadRecords({ path: dup }, dir), 'DATASET_INVALID', 'line 1 (header)', '"a" appears twice');
    const headerOnly = await file('f.csv', 'instruction,output\n');
    await expectPeftError(() => loadRecords({ path: headerOnly }, dir), 'DATASET_INVALID', 'no records', 'below the header row');
  });

  it('accepts a UTF-8 BOM', async () => {
    const path = await file('bom.csv', '\uFEFFinstruction,output\nx,y\n');
    expect(await loadRecords({ path }, dir, alpacaNeeds)).toEqual([{ instruction: 'x', output: 'y', input: '' }]);
  });
});

describe('files', () => {
  it('empty files, missing files, unknown extensions', async () => {
    const empty = await file('empty.jsonl', '  \n\n');
    await expectPeftError(() => loadRecords({ path: empty }, dir), 'DATASET_INVALID', 'empty.jsonl', 'empty');
    await expectPeftError(() => loadRecords({ path: 'nope.jsonl' }, dir), 'FILE_NOT_FOUND', join(dir, 'nope.jsonl'));
    const txt = await file('data.txt', 'x');
    await expectPeftError(() => loadRecords({ path: txt }, dir), 'DATASET_INVALID', 'data.txt', 'dataset.format');
    expect(await loadRecords({ path: txt, format: 'csv' }, dir).catch((e: Error) => e.message)).toContain('no records');
  });

  it('invalid UTF-8 names the file and the line', async () => {
    const bytes = new Uint8Array([...Buffer.from('{"a": "ok"}\n{"a": "'), 0xe9, ...Buffer.from('t\u00e9"}\n')]);
    const path = await file('latin1.jsonl', bytes);
    await expectPeftError(() => loadRecords({ path }, dir), 'DATASET_INVALID', join(dir, 'latin1.jsonl'), 'not valid UTF-8 (line 2');
  });

  it('firstInvalidUtf8 finds bad bytes, overlongs, surrogates and truncated sequences', () => {
    expect(firstInvalidUtf8(Buffer.from('añ😀'))).toBe(-1);
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x80]))).toBe(1); // lone continuation byte
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0xaf]))).toBe(0); // overlong "/"
    expect(firstInvalidUtf8(new Uint8Array([0xe0, 0x80, 0xaf]))).toBe(0); // overlong 3-byte
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0); // surrogate U+D800
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xf0, 0x9f, 0x98]))).toBe(2); // truncated emoji
    expect(firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // > U+10FFFF
  });
});

describe('loadTrainValidation', () => {
  it('splits one file, or reads a separate validation file', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `{"instruction": "i${i}", "output": "o${i}"}`).join('\n');
    const path = await file('ten.jsonl', lines);
    const split = await loadTrainValidation({ path, validationSplit: 0.2, splitSeed: 7 }, dir, alpacaNeeds);
    expect(split.train.length).toBe(8);
    expect(split.validation.length).toBe(2);
    const val = await file('val.csv', 'instruction,output\nvi,vo\n');
    const sep = await loadTrainValidation({ path, validationPath: val, maxExamples: 3 }, dir, alpacaNeeds);
    expect(sep.train.map((r) => r.instruction)).toEqual(['i0', 'i1', 'i2']);
    expect(sep.validation).toEqual([{ instruction: 'vi', output: 'vo', input: '' }]);
  });
});
