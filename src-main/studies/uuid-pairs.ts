// The synthetic memorisation task of MoRA (Jiang et al. 2024, "MoRA: High-Rank Updating for Parameter-Efficient
// Fine-Tuning", §5.1): pairs of random UUIDs; given one, the model must produce its partner, which only
// memorisation can do. The pairs come from the project's seeded generator (engine/rng.ts, seedrandom's Alea), so
// a seed and a count always give the same file, and a sweep's dataset hash identifies it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PeftLabError } from '../../src-shared/errors';
import { Rng } from '../engine/rng';

export interface UuidPair {
  uuid: string;
  partner: string;
}

/** RFC 9562 version 4 (random) in its 8-4-4-4-12 lower-case hex form. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One random UUID v4 from `rng`: 122 random bits, version nibble 4, variant bits 10. */
export function randomUuidV4(rng: Rng): string {
  const b = Array.from({ length: 16 }, () => Math.floor(rng.uniform() * 256));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `count` pairs of 2·count distinct UUIDs, the same for the same seed. */
export function uuidPairs(count: number, seed: number): UuidPair[] {
  if (!Number.isInteger(count) || count < 1) throw new PeftLabError('BAD_ARGUMENT', `UUID pairs: count must be a positive integer, got ${count}`);
  const rng = new Rng(`uuid-pairs:${seed}`);
  const seen = new Set<string>();
  const next = (): string => {
    for (;;) {
      const u = randomUuidV4(rng);
      if (!seen.has(u)) {
        seen.add(u);
        return u;
      }
    }
  };
  return Array.from({ length: count }, () => ({ uuid: next(), partner: next() }));
}

/** Writes the pairs as JSONL (fields `uuid`, `partner`) under `dir`; returns the file (left as is when present). */
export function writeUuidPairs(dir: string, count: number, seed: number): string {
  const file = path.join(dir, `uuid-pairs-n${count}-s${seed}.jsonl`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, uuidPairs(count, seed).map((p) => JSON.stringify(p)).join('\n') + '\n');
  fs.renameSync(tmp, file);
  return file;
}
