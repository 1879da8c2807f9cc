#!/usr/bin/env node
// `npm start`: the desktop app when this machine has the Electron binary, otherwise the same app in the browser.
// Electron >= 42 downloads its binary lazily on first launch; where that download is impossible (no route to the
// download host) `require('electron')` would try again and throw, so this script only looks for the file
// (node_modules/electron/path.txt names it, below node_modules/electron/dist) and never triggers a download.
// Usage: npm start [-- --web] [-- <peft-lab serve options, used in web mode>]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const serveArgs = args.filter((a) => a !== '--web');

/** The Electron executable if it is installed, else null. */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkgDir, 'dist');
  const exe = join(dist, relative);
  return relative && existsSync(exe) ? exe : null;
}

/** Runs a child with this terminal; resolves with its exit code. Ctrl+C reaches it through the process group. */
function run(command, commandArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', (err) => {
      process.stderr.write(`start: could not run ${command}: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 143));
    });
  });
}

const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');

async function buildIfMissing(file) {
  if (existsSync(join(root, file))) return 0;
  process.stderr.write(`start: ${file} is missing; building first (electron-vite build)…\n`);
  return run(process.execPath, [electronVite, 'build']);
}

async function main() {
  const electron = forceWeb ? null : electronBinary();
  if (electron) {
    const built = await buildIfMissing('out/main/main.js');
    return built !== 0 ? built : run(process.execPath, [electronVite, 'preview']);
  }
  if (!forceWeb) {
    process.stderr.write(
      'start: the Electron binary is not installed (node_modules/electron has no downloaded binary; on this machine it\n' +
        'could not be downloaded). The same app runs in the browser: starting web mode (peft-lab serve) instead.\n',
    );
  }
  const built = await buildIfMissing('out/renderer/index.html');
  return built !== 0 ? built : run(process.execPath, [join(root, 'bin', 'peft-lab.js'), 'serve', ...serveArgs]);
}

process.exitCode = await main();
