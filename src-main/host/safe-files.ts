// What the host may read of the files a person names (model folders, data files). Policy: any folder or file may be
// registered, wherever it is and however it is named (it is the person's own machine; `..` and symlinks that lead
// elsewhere are fine, the Hugging Face cache itself links snapshot files to blobs), but everything the host then
// reads must be a regular file, with symlinks followed, and of bounded size. A device (/dev/zero never ends: reading
// it would exhaust the host's memory), a FIFO (opening it blocks a thread until someone writes), a socket or a
// folder in a file's place is refused with an error naming the file, before anything opens it. A path holding a
// NUL byte is refused as malformed.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { PeftLabError } from '../../src-shared/errors';

/** config.json, tokenizer.json, a shard index…: far larger than any real one, far smaller than memory. */
export const MODEL_JSON_MAX_BYTES = 256 * 2 ** 20;
/** The data file is read whole and decoded as one string, which V8 caps at about 512 MiB. */
export const DATASET_MAX_BYTES = 512 * 2 ** 20;

/** The files of a model folder the host reads at registration and preview (plus every *.safetensors shard). */
const MODEL_FILES = ['config.json', 'generation_config.json', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja'];

/** Refuses a path that no file can have (NUL) or that is blank, naming the request field. */
export function checkPathText(p: string, field: string): void {
  if (p.includes('\0')) throw new PeftLabError('BAD_ARGUMENT', `${field} contains a NUL byte, which no file path can hold; pass the path as plain text.`, { field });
  if (p.trim() === '') throw new PeftLabError('BAD_ARGUMENT', `${field} is empty; pass the path of a folder or file.`, { field });
}

function kindOf(s: Awaited<ReturnType<typeof stat>>): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks that `file` (symlinks followed) is a regular file of at most `maxBytes`; returns false when nothing is
 * there. `what` names the file's role in the message.
 */
export async function checkRegularFile(file: string, what: string, maxBytes = Infinity): Promise<boolean> {
  let s;
  try {
    s = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return false;
    throw err;
  }
  if (!s.isFile()) {
    throw new PeftLabError('BAD_ARGUMENT', `${file} (${what}) is ${kindOf(s)}; PEFT Lab reads only regular files. Point it at the real file.`, { path: file });
  }
  if (s.size > maxBytes) {
    throw new PeftLabError('BAD_ARGUMENT', `${file} (${what}) is ${(s.size / 2 ** 20).toFixed(0)} MiB, more than the ${(maxBytes / 2 ** 20).toFixed(0)} MiB PEFT Lab reads for it; check that it is the right file.`, { path: file, bytes: s.size });
  }
  return true;
}

/** Every file of a model folder the host is about to read is a regular file of bounded size (or absent). */
export async function checkModelFolderFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // not a readable folder: the model reader says so in its own words
  }
  for (const name of MODEL_FILES) await checkRegularFile(path.join(dir, name), `model ${name}`, MODEL_JSON_MAX_BYTES);
  for (const name of names.filter((n) => n.endsWith('.safetensors'))) await checkRegularFile(path.join(dir, name), 'model weights');
}

/** The data file the host is about to read whole: a regular file of at most DATASET_MAX_BYTES. */
export async function checkDataFile(file: string): Promise<void> {
  if (!(await checkRegularFile(file, 'data file', DATASET_MAX_BYTES))) {
    throw new PeftLabError('FILE_NOT_FOUND', `${file} is not a file; pick a JSONL, JSON or CSV data file`, { path: file });
  }
}
