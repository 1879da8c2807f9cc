// `peft-lab --help` and every subcommand's --help print usage without loading TensorFlow.js, SQLite or the host
// (which cost about two seconds before the first line of usage): a resolve hook makes any such import fail.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'bin/peft-lab.js');
const HOOK = path.join(root, 'test/helpers/forbid-heavy-imports.mjs');
const COMMANDS = ['plan', 'generate', 'train', 'perplexity', 'backends', 'sweep', 'merge', 'quantize', 'serve', 'demo', 'export',
  'download', 'models', 'study', 'backup', 'worker'];

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('usage without heavy imports', () => {
  it('the hook does stop a command that needs TensorFlow.js (so the checks below can fail)', () => {
    const r = cli(['backends']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/heavy import: @tensorflow\//);
  });

  it.each([[[] as string[]], ...COMMANDS.map((c) => [[c]])])('peft-lab %s --help', (args) => {
    const r = cli([...args, '--help']);
    expect(r.stderr).not.toContain('heavy import');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: peft-lab/);
  });
});
