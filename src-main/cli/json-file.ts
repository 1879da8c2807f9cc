// Reading a JSON spec file given on the command line: a missing file or bad JSON is a clear error naming it.
import * as fs from 'node:fs';
import { PeftLabError } from '../../src-shared/errors';

export function readJsonFile(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new PeftLabError('FILE_NOT_FOUND', `${what} ${file} not found`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PeftLabError('SPEC_INVALID', `${file} is not valid JSON (${(e as Error).message})`);
  }
}
