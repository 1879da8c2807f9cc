// Keeps the README true: its run-spec example parses, the commands it shows exist, and .ci/run runs its test command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunSpecSchema } from '../src-shared/domain/run-spec';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('its run-spec example is a valid run spec', () => {
    const block = readme.match(/```json\n([\s\S]*?)```/);
    expect(block).not.toBeNull();
    expect(RunSpecSchema.safeParse(JSON.parse(block![1])).success).toBe(true);
  });

  it('.ci/run calls the README\'s test command', () => {
    const testCommand = readme.match(/^(\.\/scripts\/setup\.sh && npm test)$/m)?.[1];
    expect(testCommand).toBeDefined();
    expect(fs.readFileSync(path.join(root, '.ci/run'), 'utf8')).toContain(testCommand!);
  });

  it('the subcommands it shows are the ones the CLI registers', async () => {
    const { buildProgram } = await import('../src-main/cli/program');
    const registered = buildProgram().commands.map((c) => c.name());
    const shown = [...readme.matchAll(/npx peft-lab (\w+)/g)].map((m) => m[1]);
    for (const s of new Set(shown)) expect(registered).toContain(s);
  });
});
