// `npm start` (scripts/start.mjs) on a machine without the Electron binary, like this one: it says so in a sentence,
// starts the same app in web mode instead, and never prints a stack trace.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const electronDir = path.join(ROOT, 'node_modules/electron');
const pathTxt = path.join(electronDir, 'path.txt');
const electronPresent = fs.existsSync(pathTxt) && fs.existsSync(path.join(electronDir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim()));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm start without the Electron binary', () => {
  it.skipIf(electronPresent)('explains, falls back to web mode, and stops cleanly', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs'), '--port', '0', '--data', path.join(tmp, 'data')], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 90_000);
      child.stdout.on('data', () => {
        const m = /PEFT Lab web mode: (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exit.then(() => resolve(null));
    });
    child.kill('SIGTERM');
    const code = await exit;
    expect(err).toContain('the Electron binary is not installed');
    expect(err).toContain('The same app runs in the browser: starting web mode');
    expect(url, `stdout: ${out}\nstderr: ${err}`).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    expect(code).toBe(0);
    expect(`${out}${err}`).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(`${out}${err}`).not.toContain('Downloading Electron');
  });
});
