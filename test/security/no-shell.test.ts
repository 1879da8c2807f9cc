// No shell interpolation of user strings (issue #9): every use of child_process in the app's code (src-main, bin)
// is found by parsing the sources with the TypeScript compiler, and must be a function that takes its program and
// arguments apart (fork, spawn, spawnSync, execFile, execFileSync), never exec/execSync (which always run a
// shell), never with a `shell` option other than a literal false, and never with a program built by interpolation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const ALLOWED = new Set(['fork', 'spawn', 'spawnSync', 'execFile', 'execFileSync']);
const CHILD_PROCESS = new Set(['child_process', 'node:child_process']);

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

/** Every problem with child_process use in one source text, as "file:line: what". */
export function shellFindings(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const at = (n: ts.Node, what: string) => out.push(`${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${what}`);
  const named = new Map<string, string>(); // local name → imported name
  const namespaces = new Set<string>();
  const isChildProcess = (s: ts.Node | undefined) => s !== undefined && ts.isStringLiteral(s) && CHILD_PROCESS.has(s.text);

  const visitImports = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && isChildProcess(n.moduleSpecifier) && n.importClause && !n.importClause.isTypeOnly) {
      const b = n.importClause.namedBindings;
      if (n.importClause.name) namespaces.add(n.importClause.name.text);
      if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
      if (b && ts.isNamedImports(b)) for (const e of b.elements) if (!e.isTypeOnly) named.set(e.name.text, (e.propertyName ?? e.name).text);
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && isChildProcess(n.arguments[0])) {
      at(n, 'require(child_process): import it instead, so this check sees what is used');
    }
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && isChildProcess(n.arguments[0])) {
      at(n, 'import(child_process) at run time: import it statically, so this check sees what is used');
    }
    ts.forEachChild(n, visitImports);
  };
  visitImports(sf);

  const checkCall = (n: ts.CallExpression, fn: string): void => {
    if (!ALLOWED.has(fn)) {
      at(n, `child_process.${fn} runs its command through a shell: use execFile/spawn with an argument array`);
      return;
    }
    const program = n.arguments[0];
    if (program && ts.isTemplateExpression(program)) at(n, `${fn} with a program built by interpolation`);
    for (const arg of n.arguments) {
      if (!ts.isObjectLiteralExpression(arg)) continue;
      for (const p of arg.properties) {
        const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : null;
        if (name !== 'shell') continue;
        const literalFalse = ts.isPropertyAssignment(p) && p.initializer.kind === ts.SyntaxKind.FalseKeyword;
        if (!literalFalse) at(p, `${fn} with a shell option: pass the program and its arguments apart, without a shell`);
      }
    }
  };
  const visitCalls = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const e = n.expression;
      if (ts.isIdentifier(e) && named.has(e.text)) checkCall(n, named.get(e.text)!);
      if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && namespaces.has(e.expression.text)) checkCall(n, e.name.text);
    }
    ts.forEachChild(n, visitCalls);
  };
  visitCalls(sf);
  // An imported function that is only passed around (e.g. `const run = exec`) is refused too.
  for (const [local, imported] of named) if (!ALLOWED.has(imported)) at(sf, `imports child_process.${imported} as ${local}`);
  return out;
}

describe('no shell interpolation of user strings', () => {
  it('src-main and bin start processes only with argument arrays, never through a shell', () => {
    const files = [...sourceFiles(path.join(ROOT, 'src-main')), ...sourceFiles(path.join(ROOT, 'bin'))];
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((f) => shellFindings(f, fs.readFileSync(f, 'utf8')));
    expect(findings).toEqual([]);
    // The check sees the process starts that exist (the run-worker supervisor forks its entry).
    const users = files.filter((f) => /from ['"](node:)?child_process['"]/.test(fs.readFileSync(f, 'utf8')));
    expect(users.map((f) => path.relative(ROOT, f))).toContain(path.join('src-main', 'host', 'runs', 'supervisor.ts'));
  });

  it('catches each way a shell could be reached (attempts that must fail)', () => {
    const cases: [string, string][] = [
      ["import { exec } from 'node:child_process'; exec(`ls ${dir}`);", 'child_process.exec runs its command through a shell'],
      ["import { execSync as run } from 'child_process'; run('ls');", 'child_process.execSync runs its command through a shell'],
      ["import * as cp from 'node:child_process'; cp.exec('ls');", 'child_process.exec runs its command through a shell'],
      ["import cp from 'node:child_process'; cp.execSync('ls');", 'child_process.execSync runs its command through a shell'],
      ["import { spawn } from 'node:child_process'; spawn('ls', [dir], { shell: true });", 'with a shell option'],
      ["import { spawn } from 'node:child_process'; spawn('ls', [dir], { cwd, shell });", 'with a shell option'],
      ["import { execFile } from 'node:child_process'; execFile('sh', ['-c', x], { 'shell': '/bin/sh' });", 'with a shell option'],
      ["import { spawn } from 'node:child_process'; spawn(`${tool} --x`, []);", 'program built by interpolation'],
      ["const cp = require('child_process'); cp.exec('ls');", 'require(child_process)'],
      ["const cp = await import('node:child_process');", 'import(child_process) at run time'],
      ["import { exec } from 'node:child_process'; export const run = exec;", 'imports child_process.exec as exec'],
    ];
    for (const [code, expected] of cases) {
      const found = shellFindings('/x/attempt.ts', code);
      expect(found.join('\n'), code).toContain(expected);
    }
    // What is fine: arguments apart, an explicit shell: false, SQLite's and RegExp's exec.
    const fine = [
      "import type { ChildProcess } from 'node:child_process'; import { type SpawnOptions } from 'child_process';",
      "import { fork, spawn } from 'node:child_process'; fork(entry, [], {}); spawn(process.execPath, ['x', name], { shell: false });",
      "db.exec('CREATE TABLE t (x)'); /a(b)/.exec(text);",
    ];
    for (const code of fine) expect(shellFindings('/x/fine.ts', code), code).toEqual([]);
  });
});
