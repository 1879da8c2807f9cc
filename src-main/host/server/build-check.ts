// Is the built renderer that web mode serves there, and is it as new as its sources? `peft-lab serve` runs the
// tree's TypeScript directly, but the renderer it serves is a build product (out/renderer), so a stale build would
// silently show an old UI. This is a warning, not an error: a packaged tree may have no sources at all.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.isFile()) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Source folders newer than the built index.html (empty when the build is current or there are no sources). */
export function staleSources(builtIndex: string, sourceDirs: string[]): string[] {
  let built: number;
  try {
    built = statSync(builtIndex).mtimeMs;
  } catch {
    return sourceDirs;
  }
  return sourceDirs.filter((d) => newestMtime(d) > built);
}
