// A registered model folder on disk, as the model library shows it: its fingerprint (the file list with sizes and
// modification times, following the cache's symlinks) to notice a folder that changed since registration, its disk
// use, and how its weights are stored (bitsandbytes 4-bit / 8-bit, or not quantised).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelQuantization } from '../../src-shared/domain/records';
import { storedBaseOptions } from '../engine/quant/bnb-config';

/** [file name, bytes, mtime in ms] of every file at the folder's top level, sorted by name. */
export interface Fingerprint {
  files: [string, number, number][];
}

export function folderFingerprint(dir: string): Fingerprint | null {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return null;
  }
  const files: [string, number, number][] = [];
  for (const name of names.sort()) {
    try {
      const st = fs.statSync(path.join(dir, name));
      if (st.isFile()) files.push([name, st.size, Math.round(st.mtimeMs)]);
    } catch {
      files.push([name, -1, 0]); // a dangling link: a file that is gone
    }
  }
  return { files };
}

/** What changed between two fingerprints, in words; null when nothing did. `compareTimes` false: sizes only. */
export function describeChange(before: Fingerprint, now: Fingerprint | null, compareTimes = true): string | null {
  if (now === null) return 'the folder is gone (moved or deleted); relocate the model or remove it';
  const a = new Map(before.files.map(([n, s, t]) => [n, { s, t }]));
  const b = new Map(now.files.map(([n, s, t]) => [n, { s, t }]));
  const parts: string[] = [];
  const removed = [...a.keys()].filter((n) => !b.has(n) || b.get(n)!.s < 0);
  const added = [...b.keys()].filter((n) => !a.has(n));
  const modified = [...a.keys()].filter((n) => b.has(n) && b.get(n)!.s >= 0 && (a.get(n)!.s !== b.get(n)!.s || (compareTimes && a.get(n)!.t !== b.get(n)!.t)));
  const list = (xs: string[]) => `${xs.slice(0, 3).join(', ')}${xs.length > 3 ? ` and ${xs.length - 3} more` : ''}`;
  if (removed.length) parts.push(`missing ${list(removed)}`);
  if (modified.length) parts.push(`modified ${list(modified)}`);
  if (added.length) parts.push(`new ${list(added)}`);
  return parts.length ? parts.join('; ') : null;
}

/** Bytes the folder's files take (following symlinks into the Hub cache). */
export function folderDiskBytes(fp: Fingerprint | null): number | null {
  return fp ? fp.files.reduce((a, [, s]) => a + Math.max(0, s), 0) : null;
}

export function quantizationOf(rawConfig: Record<string, unknown>, configPath: string): ModelQuantization {
  const stored = storedBaseOptions(rawConfig, configPath);
  return stored === null ? 'none' : stored.bits === 4 ? 'bnb-4bit' : 'bnb-8bit';
}
