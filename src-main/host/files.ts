// File-system helpers for the host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Total bytes of the files in a folder (non-recursive over `only` when given); null when it does not exist. */
export function directoryBytes(dir: string, only?: string[]): number | null {
  try {
    const names = only ?? fs.readdirSync(dir);
    let total = 0;
    for (const n of names) {
      const st = fs.statSync(path.join(dir, n), { throwIfNoEntry: false });
      if (st?.isFile()) total += st.size;
    }
    return total;
  } catch {
    return null;
  }
}

/** The app's version from the nearest package.json named peft-lab above this file (sources or a build). */
export function appVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'peft-lab' && pkg.version) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}
