// Hostile data files (issue 9): any text through the JSONL, JSON and CSV parsers, bytes that are not UTF-8 or are
// UTF-16, records with fields missing, null or not text, lines and records beyond the size cap, empty and blank
// files, ragged CSV rows. Each ends in DATASET_INVALID naming the file (and the line or record), or gives records
// of plain strings holding exactly the fields asked for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRecords } from '../../src-main/engine/train/dataset';
import { MAX_RECORD_CHARS, parseCsv, parseJson, parseJsonl } from '../../src-main/engine/train/dataset-formats';
import { hostileJson, jsonText, mutatedBytes, utf8 } from './arbitraries';
import { acceptOrClear, expectRefused, fuzzFamily, fuzzTempDir } from './fuzz-kit';

const fuzz = fuzzFamily('datasets');
const dir = fuzzTempDir('data');

const LABEL = '/data/fuzz.jsonl';
const RULE = { codes: ['DATASET_INVALID'] as const, mentions: [LABEL] };
const FILE_RULE = (file: string, ...more: string[]) => ({ codes: ['DATASET_INVALID', 'FILE_NOT_FOUND'] as const, mentions: [file, ...more] });
const NEEDS = { required: ['instruction', 'output'], optional: ['input'] };
const PARSERS = { jsonl: parseJsonl, json: parseJson, csv: parseCsv };

let n = 0;
function writeData(ext: string, content: string | Uint8Array): string {
  const file = path.join(dir, `d${n++}.${ext}`);
  fs.writeFileSync(file, content);
  return file;
}

/** Accepted records hold exactly the needed fields, as strings. */
function checkRecords(records: Record<string, string>[]): void {
  for (const r of records) {
    expect(Object.keys(r).sort()).toEqual(['input', 'instruction', 'output']);
    for (const v of Object.values(r)) expect(typeof v).toBe('string');
  }
}

const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', '"', '""', ',', '\n', '\r\n', 'a,"b"', '\ufeff'));
const csvText = fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 5 }).map((rows) => rows.map((r) => r.join(',')).join('\n'));
const jsonlText = fc.array(fc.oneof(hostileJson.map(jsonText), fc.string({ maxLength: 20 }), fc.constant('')), { maxLength: 6 }).map((ls) => ls.join('\n'));

describe('datasets: generated input', () => {
  it('any text through each parser: records or DATASET_INVALID naming the file', async () => {
    const binary = fc.string({ unit: 'binary', maxLength: 80 });
    // csv-parse takes ~2 µs a character: the 200,000-character hostile values go to the JSON parsers only.
    const input = fc.oneof(
      fc.tuple(fc.oneof(binary, jsonlText, csvText, hostileJson.map(jsonText)), fc.constantFrom('jsonl' as const, 'json' as const)),
      fc.tuple(fc.oneof(binary, csvText, jsonlText), fc.constant('csv' as const)),
    );
    await fuzz.check(fc.asyncProperty(input, async ([t, format]) => {
      const out = await acceptOrClear(() => PARSERS[format](t, LABEL), RULE);
      for (const r of out ?? []) expect(r.values !== null && typeof r.values === 'object' && !Array.isArray(r.values)).toBe(true);
      return true;
    }), 250);
  });

  it('records with fields missing, null, numbers, lists or objects: loaded as text or refused naming the line and field', async () => {
    const value = fc.oneof(fc.string({ maxLength: 6 }), hostileJson, fc.constant(undefined));
    const record = fc.record({ instruction: value, output: value, input: value, other: value }, { requiredKeys: [] });
    await fuzz.check(fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
      const file = writeData('jsonl', records.map(jsonText).join('\n'));
      const out = await acceptOrClear(() => loadRecords({ path: file }, undefined, NEEDS), FILE_RULE(file, 'line '));
      if (out) checkRecords(out);
      return true;
    }), 150);
  });

  it('byte damage to a valid UTF-8 file: loaded, or refused naming the file (and the line for bad UTF-8)', async () => {
    const good = utf8(['{"instruction": "Écris «bonjour»", "output": "bonjour 👋"}', '{"instruction": "2+2", "output": "4"}'].join('\n'));
    await fuzz.check(fc.asyncProperty(mutatedBytes(good), fc.constantFrom('jsonl', 'csv', 'json'), async (bytes, ext) => {
      const file = writeData(ext, bytes);
      const r = await acceptOrClear(() => loadRecords({ path: file }), FILE_RULE(file));
      if (r === null) {
        const err = await expectRefused(() => loadRecords({ path: file }), FILE_RULE(file));
        if (err.message.includes('UTF-8')) expect(err.message).toMatch(/line \d+, byte offset \d+/);
      }
      return true;
    }), 150);
  });
});

const giant = 'x'.repeat(MAX_RECORD_CHARS + 1);
describe('datasets: corpus', () => {
  const cases: { name: string; ext: string; content: string | Uint8Array; says: string[] }[] = [
    { name: 'empty file', ext: 'jsonl', content: '', says: ['empty'] },
    { name: 'only blank lines', ext: 'jsonl', content: '\n\n  \r\n\t\n', says: ['empty'] },
    { name: 'UTF-16 LE with BOM', ext: 'jsonl', content: Uint8Array.from([0xff, 0xfe, ...Buffer.from('{"a":"b"}\n', 'utf16le')]), says: ['UTF-16'] },
    { name: 'UTF-16 BE with BOM', ext: 'csv', content: Uint8Array.from([0xfe, 0xff, 0x00, 0x61, 0x00, 0x0a]), says: ['UTF-16'] },
    { name: 'Latin-1 byte on line 2', ext: 'jsonl', content: Uint8Array.from([...utf8('{"instruction":"a","output":"b"}\n{"instruction":"caf'), 0xe9, ...utf8('","output":"x"}')]), says: ['UTF-8', 'line 2'] },
    { name: 'a JSON list on line 2', ext: 'jsonl', content: '{"instruction":"a","output":"b"}\n[1,2]\n', says: ['line 2', 'not a JSON object'] },
    { name: 'a string on line 1', ext: 'jsonl', content: '"just text"\n', says: ['line 1'] },
    { name: 'JSON that is a number', ext: 'json', content: '42', says: ['array'] },
    { name: 'JSON array holding null', ext: 'json', content: '[{"instruction":"a","output":"b"}, null]', says: ['record 2'] },
    { name: 'missing output on line 3', ext: 'jsonl', content: '{"instruction":"a","output":"b"}\n\n{"instruction":"c"}\n', says: ['line 3', '"output"'] },
    { name: 'output is a list', ext: 'jsonl', content: '{"instruction":"a","output":["b"]}\n', says: ['line 1', '"output"', 'array'] },
    { name: 'ragged CSV row on line 3', ext: 'csv', content: 'instruction,output\na,b\nc,d,e\n', says: ['line 3'] },
    { name: 'CSV with an unclosed quote', ext: 'csv', content: 'instruction,output\n"a,b\n', says: ['line'] },
    { name: 'CSV header with a blank column name', ext: 'csv', content: 'instruction,,output\na,b,c\n', says: ['column 2'] },
    { name: 'CSV header only', ext: 'csv', content: 'instruction,output\n', says: ['no records'] },
    { name: `a ${MAX_RECORD_CHARS + 1}-character line 2 (JSONL; regression: was parsed whole)`, ext: 'jsonl', content: `{"instruction":"a","output":"b"}\n{"instruction":"${giant}"}\n`, says: ['line 2', String(MAX_RECORD_CHARS)] },
    { name: `a ${MAX_RECORD_CHARS + 1}-character CSV record on line 3 (regression: was parsed whole)`, ext: 'csv', content: `instruction,output\na,b\n${giant},c\n`, says: ['line 3', String(MAX_RECORD_CHARS)] },
  ];
  fuzz.corpus(cases, async (c) => {
    const file = writeData(c.ext, c.content);
    await expectRefused(() => loadRecords({ path: file }, undefined, NEEDS), { codes: ['DATASET_INVALID'], mentions: [file, ...c.says] });
  });

  it('a line just under the cap is read', async () => {
    const file = writeData('jsonl', `{"instruction":"${'y'.repeat(MAX_RECORD_CHARS - 40)}","output":"b"}\n`);
    const [r] = await loadRecords({ path: file }, undefined, NEEDS);
    expect(r.instruction.length).toBe(MAX_RECORD_CHARS - 40);
    fuzz.count(1);
  });
});
