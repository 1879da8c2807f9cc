// `peft-lab backup OUT`: a consistent copy of the data folder (the database through SQLite's online backup, then the
// run folders: checkpoints, adapters, logs) into the new folder OUT, safe while the app runs. OUT is itself a data
// folder: `peft-lab serve --data OUT` opens it.
import * as path from 'node:path';
import type { Command } from 'commander';
import { defaultDataDir } from '../data-dir';

interface BackupCliOptions {
  data?: string;
}

async function backup(out: string, o: BackupCliOptions): Promise<void> {
  const { backupDataFolder } = await import('../../store/backup');
  const { formatBytes } = await import('../../engine/plan/memory');
  const dataDir = path.resolve(o.data ?? defaultDataDir());
  const r = await backupDataFolder(dataDir, out);
  process.stdout.write(`backed up ${dataDir} to ${path.resolve(out)}: database (schema version ${r.userVersion}, ${r.runs} run${r.runs === 1 ? '' : 's'}, ` +
    `${r.metricPoints} metric points, integrity_check ok) and ${r.files} other files (${formatBytes(r.bytes)})\n`);
  if (r.vanished.length > 0) {
    process.stderr.write(`peft-lab: ${r.vanished.length} file(s) went away while they were copied (checkpoints pruned by a running training); the copy has the newer ones\n`);
  }
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the data folder (database, checkpoints, adapters) to a new folder; safe while the app runs')
    .argument('<out>', 'new (or empty) folder for the copy, outside the data folder')
    .option('--data <dir>', 'data folder to back up; default $PEFT_LAB_DATA or ~/.peft-lab')
    .action(backup);
}
