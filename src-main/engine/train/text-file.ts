// Reads a user's text file strictly as UTF-8: a missing file is FILE_NOT_FOUND, bytes that are not UTF-8 are an
// error naming the line and byte offset (instead of silently turning into U+FFFD), a leading BOM is dropped.
import { readFile } from 'node:fs/promises';
import { PeftLabError } from '../../../src-shared/errors';

/** Byte offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // > U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c === undefined || c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line of a byte offset. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Reads `path` as UTF-8 text. `what` names the file's role in messages (e.g. "dataset.path"), so the person knows
 * which setting to fix.
 */
export async function readUtf8File(path: string, what: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new PeftLabError('FILE_NOT_FOUND', `${path} not found (${what}). Fix: check the path; relative paths are resolved against the run spec's folder.`, { path });
    }
    if (code === 'EISDIR') {
      throw new PeftLabError('DATASET_INVALID', `${path} is a folder, not a file (${what}). Fix: point ${what} at the data file itself.`, { path });
    }
    throw err;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw new PeftLabError('DATASET_INVALID',
        `${path}: the file is UTF-16 (it starts with a UTF-16 byte-order mark), PEFT Lab reads UTF-8. ` +
          'Fix: re-save it as UTF-8 (e.g. "iconv -f utf-16 -t utf-8 in > out", or "Save as… UTF-8" in the editor).',
        { path, encoding: 'utf-16' });
    }
    const offset = firstInvalidUtf8(bytes);
    throw new PeftLabError(
      'DATASET_INVALID',
      `${path}: not valid UTF-8 (line ${lineOfByte(bytes, offset)}, byte offset ${offset}). ` +
        `Fix: re-save the file as UTF-8 (e.g. "iconv -f latin1 -t utf-8 in > out" for Latin-1 text).`,
      { path, line: lineOfByte(bytes, offset), byteOffset: offset },
    );
  }
}
