// The layering rules of DESIGN.md are enforced by lint: src-shared imports nothing platform-specific, the engine
// never imports electron, the renderer imports only src-shared.
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rules', () => {
  it('src-shared may not import Node built-ins, electron, tfjs or other layers', async () => {
    expect(await restricted('src-shared/x.ts', "import * as fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await restricted('src-shared/x.ts', "import * as tf from '@tensorflow/tfjs';\nexport const a = tf;\n")).toHaveLength(1);
    expect(await restricted('src-shared/x.ts', "import { x } from '../src-main/engine/rng';\nexport const a = x;\n")).toHaveLength(1);
    expect(await restricted('src-shared/x.ts', "import { z } from 'zod';\nexport const a = z;\n")).toHaveLength(0);
  });

  it('the engine, CLI and host may not import electron', async () => {
    expect(await restricted('src-main/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await restricted('src-main/cli/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await restricted('src-main/shell/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(0);
  });

  it('the renderer imports only src-shared', async () => {
    expect(await restricted('src-renderer/x.ts', "import { a } from '../src-main/engine/rng';\nexport const b = a;\n")).toHaveLength(1);
    expect(await restricted('src-renderer/x.ts', "import * as os from 'node:os';\nexport const b = os;\n")).toHaveLength(1);
    expect(await restricted('src-renderer/x.ts', "import { PeftLabError } from '../src-shared/errors';\nexport const b = PeftLabError;\n")).toHaveLength(0);
  });
});
