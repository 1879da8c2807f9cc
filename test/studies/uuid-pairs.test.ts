// The UUID-pair generator of the MoRA memorisation preset: valid version-4 UUIDs, the same pairs for the same seed,
// different pairs for another seed, no UUID twice, and the JSONL file the sweep registers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/engine/rng';
import { randomUuidV4, UUID_V4, uuidPairs, writeUuidPairs } from '../../src-main/studies/uuid-pairs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-uuid-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('UUID pairs', () => {
  it('draws version-4 UUIDs: 8-4-4-4-12 lower-case hex, version nibble 4, variant 8/9/a/b', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) {
      const u = randomUuidV4(rng);
      expect(u).toMatch(UUID_V4);
      expect(u[14]).toBe('4');
      expect('89ab').toContain(u[19]);
    }
    // the pattern itself refuses other versions and variants
    expect('123e4567-e89b-12d3-a456-426614174000').not.toMatch(UUID_V4);
    expect('123e4567-e89b-42d3-c456-426614174000').not.toMatch(UUID_V4);
  });

  it('is deterministic per seed, differs across seeds, and never repeats a UUID', () => {
    const a = uuidPairs(200, 7);
    expect(uuidPairs(200, 7)).toEqual(a);
    const b = uuidPairs(200, 8);
    expect(b[0]).not.toEqual(a[0]);
    const all = a.flatMap((p) => [p.uuid, p.partner]);
    expect(new Set(all).size).toBe(400);
    for (const p of a) expect(p.partner).not.toBe(p.uuid);
    // a shorter list is a prefix of a longer one with the same seed
    expect(uuidPairs(5, 7)).toEqual(a.slice(0, 5));
  });

  it('writes one JSON record per line and reuses the file for the same seed and count', () => {
    const file = writeUuidPairs(dir, 12, 3);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { uuid: string; partner: string });
    expect(lines).toEqual(uuidPairs(12, 3));
    const mtime = fs.statSync(file).mtimeMs;
    expect(writeUuidPairs(dir, 12, 3)).toBe(file);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });

  it('refuses a count that is not a positive whole number, naming it', () => {
    expect(() => uuidPairs(0, 1)).toThrow(/count must be a positive integer, got 0/);
  });
});
