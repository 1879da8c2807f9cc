// Parsers of the three dataset file formats into raw records that remember where they came from ("line 4" for
// JSONL and CSV, "record 3 (index 2)" for a JSON array), so that later errors can point at the exact place.
//  - JSONL: one JSON object per line; blank lines are skipped.
//  - JSON: an array of objects, or an object whose "data" member is such an array.
//  - CSV: RFC 4180 via csv-parse (header row, "quoted, fields", "" for a quote inside quotes, newlines in quotes).
import { parse as parseCsvText } from 'csv-parse/sync';
import { PeftLabError } from '../../../src-shared/errors';

export interface RawRecord {
  values: Record<string, unknown>;
  /** Where the record is in the file, for messages: "line 4" or "record 3 (index 2)". */
  where: string;
}

/**
 * Longest JSONL line or CSV record read, in characters: a longer one is a damaged or wrongly split file (or a whole
 * corpus on one line), refused with its line number before it is parsed.
 */
export const MAX_RECORD_CHARS = 8 * 2 ** 20;

function tooLong(path: string, line: number, chars: number | null): PeftLabError {
  const size = chars === null ? `more than ${MAX_RECORD_CHARS}` : String(chars);
  return invalid(path, `line ${line} starts a record of ${size} characters, more than the ${MAX_RECORD_CHARS} allowed for one record. ` +
    'Fix: check that the file has one record per line (JSONL) or row (CSV), and split or shorten very long texts.', { line });
}

function invalid(path: string, message: string, details: Record<string, unknown> = {}): PeftLabError {
  return new PeftLabError('DATASET_INVALID', `${path}: ${message}`, { path, ...details });
}

function snippet(text: string, max = 60): string {
  const t = text.trim();
  return '`' + (t.length > max ? t.slice(0, max) + '…' : t) + '`';
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJsonl(text: string, path: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.length > MAX_RECORD_CHARS) throw tooLong(path, i + 1, line.length);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw invalid(
        path,
        `line ${i + 1} is not valid JSON (${(err as Error).message}): ${snippet(line)}. ` +
          `Fix: each line must hold one complete JSON object, e.g. {"instruction": "...", "output": "..."}.`,
        { line: i + 1 },
      );
    }
    if (!isPlainObject(value)) {
      throw invalid(path, `line ${i + 1} is ${kindOf(value)}, not a JSON object: ${snippet(line)}. Fix: write one {...} object per line.`, {
        line: i + 1,
      });
    }
    records.push({ values: value, where: `line ${i + 1}` });
  }
  return records;
}

/** 1-based line of the "at position N" V8 puts in JSON.parse errors, if any. */
function lineOfJsonError(text: string, message: string): number | null {
  const m = /position (\d+)/.exec(message);
  if (!m) return null;
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function parseJson(text: string, path: string): RawRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const line = lineOfJsonError(text, message);
    const hint = text.trimStart().startsWith('{') && text.includes('\n{') ? ' If it holds one object per line, name it .jsonl or set dataset.format to "jsonl".' : '';
    throw invalid(path, `not valid JSON${line ? ` (line ${line})` : ''}: ${message}. Fix: correct the JSON syntax.${hint}`, { line });
  }
  const list = isPlainObject(doc) && Array.isArray(doc.data) ? doc.data : doc;
  if (!Array.isArray(list)) {
    throw invalid(path, `expected an array of records or {"data": [...]}, got ${kindOf(doc)}${isPlainObject(doc) ? ' without a "data" array' : ''}. Fix: put the records in a top-level array.`);
  }
  return list.map((value: unknown, i: number) => {
    const where = `record ${i + 1} (index ${i})`;
    if (!isPlainObject(value)) {
      throw invalid(path, `${where} is ${kindOf(value)}, not an object. Fix: every array element must be a {...} record.`, { index: i });
    }
    return { values: value, where };
  });
}

interface CsvRow {
  record: string[];
  info: { lines: number; empty_lines: number };
}

function checkHeader(header: string[], path: string): void {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name.trim() === '') throw invalid(path, `line 1 (header): column ${i + 1} has no name. Fix: name every column in the first row.`, { line: 1 });
    if (seen.has(name)) throw invalid(path, `line 1 (header): column "${name}" appears twice. Fix: give every column a distinct name.`, { line: 1 });
    seen.add(name);
  });
}

export function parseCsv(text: string, path: string): RawRecord[] {
  let rows: CsvRow[];
  try {
    rows = parseCsvText(text, { info: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS }) as unknown as CsvRow[];
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    if (e.code === 'CSV_MAX_RECORD_SIZE') throw tooLong(path, e.lines ?? 0, null);
    throw invalid(
      path,
      `line ${e.lines ?? '?'}: ${e.message}. Fix: every row needs as many fields as the header; quote fields that contain ` +
        `commas, quotes or line breaks ("like, this"), and double quotes inside quoted fields ("say ""hi""").`,
      { line: e.lines },
    );
  }
  if (rows.length === 0) return [];
  const header = rows[0].record;
  checkHeader(header, path);
  const records: RawRecord[] = [];
  for (let r = 1; r < rows.length; r++) {
    const prev = rows[r - 1].info;
    const { info, record } = rows[r];
    // A record starts on the line after the previous one ended, plus any skipped empty lines.
    const startLine = prev.lines + 1 + (info.empty_lines - prev.empty_lines);
    const values: Record<string, unknown> = {};
    header.forEach((name, i) => (values[name] = record[i]));
    records.push({ values, where: `line ${startLine}` });
  }
  return records;
}
