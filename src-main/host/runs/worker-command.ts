// How to start a run worker from wherever the host runs: from TypeScript sources (CLI, web mode, tests) through
// tsx, or from the electron-vite build (desktop), where the worker is a sibling bundle run by Electron's own
// Node (ELECTRON_RUN_AS_NODE). PEFT_LAB_WORKER_ENTRY overrides the entry file. Workers train, so they get the malloc
// settings of malloc-tunables.ts (fewer page faults around native matrix products).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withMallocTunables } from '../../engine/backends/malloc-tunables';

export interface WorkerCommand {
  modulePath: string;
  execPath: string;
  execArgv: string[];
  env: NodeJS.ProcessEnv;
}

export function workerCommand(): WorkerCommand {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const override = process.env.PEFT_LAB_WORKER_ENTRY;
  const built = path.join(here, 'worker.js');
  if (override || (import.meta.url.endsWith('.js') && fs.existsSync(built))) {
    const env = withMallocTunables(process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : { ...process.env });
    return { modulePath: override ?? built, execPath: process.execPath, execArgv: [], env };
  }
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return {
    modulePath: path.resolve(here, '../../worker/run-worker.ts'),
    execPath: process.execPath,
    execArgv: ['--import', tsxLoader],
    env: withMallocTunables({ ...process.env }),
  };
}
