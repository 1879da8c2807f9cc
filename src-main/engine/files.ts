// Small file helpers shared by the engine: atomic text writes (write-file-atomic: temp file, fsync, rename) so
// that a crash never leaves a half-written JSON file behind.
import writeFileAtomic from 'write-file-atomic';

export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text, { encoding: 'utf8', fsync: true });
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
