// `peft-lab export`: opens the store read-side (beside a running app it leaves in-flight runs alone), builds the
// same export the app downloads, and writes it to --out or stdout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PeftLabError } from '../../../src-shared/errors';
import { openStore } from '../../store/db';
import { exportSweep } from '../../review/export';
import { defaultDataDir } from '../data-dir';

export interface ExportCliOptions {
  sweep: number;
  format: string;
  data?: string;
  out?: string;
}

const FORMATS = ['csv', 'md', 'json'] as const;

export async function run(o: ExportCliOptions): Promise<void> {
  const format = FORMATS.find((f) => f === o.format);
  if (!format) throw new PeftLabError('BAD_ARGUMENT', `--format must be csv, md or json (got "${o.format}")`);
  const file = path.join(path.resolve(o.data ?? defaultDataDir()), 'peft-lab.db');
  if (!fs.existsSync(file)) throw new PeftLabError('FILE_NOT_FOUND', `${file} does not exist; pass --data with the folder the app uses`);
  const store = openStore(file, { keepInFlight: true });
  try {
    const exported = exportSweep(store, o.sweep, format);
    if (o.out) {
      fs.writeFileSync(o.out, exported.content);
      process.stderr.write(`peft-lab: wrote ${o.out} (${exported.content.length} characters)\n`);
    } else {
      process.stdout.write(exported.content);
    }
  } finally {
    store.close();
  }
}
