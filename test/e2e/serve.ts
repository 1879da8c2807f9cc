// The web-mode host for end-to-end tests: makes sure out/renderer is built from the current sources, starts
// `node bin/peft-lab.js serve --port 0 --data DIR` as a child process, reads the URL it prints, and stops it.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const INDEX = path.join(REPO, 'out', 'renderer', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when out/renderer is missing or older than src-renderer / src-shared. */
export function ensureRendererBuilt(): void {
  const built = fs.existsSync(INDEX) ? fs.statSync(INDEX).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(REPO, 'src-renderer')), newestMtime(path.join(REPO, 'src-shared')));
  if (built >= sources) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}

export interface Served {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far (shown when a test fails). */
  log: () => string;
  stop: () => Promise<void>;
}

const URL_LINE = /PEFT Lab web mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/;

export async function startServe(dataDir: string, timeoutMs = 60_000): Promise<Served> {
  const child = spawn(process.execPath, ['bin/peft-lab.js', 'serve', '--port', '0', '--data', dataDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = URL_LINE.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before printing its URL:\n${stdout}\n${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { url, child, log: () => stderr, stop };
}
