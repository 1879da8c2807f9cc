#!/usr/bin/env node
// The `peft-lab` command. Runs the TypeScript sources directly through tsx so that it works in a fresh
// checkout right after `npm install`, with no build step.
//
// The commands that train or generate in this process (train, generate, perplexity) start once more on Linux, with
// the glibc malloc settings run workers get (src-main/engine/backends/malloc-tunables.ts): glibc reads them only when
// a process starts. This process then only relays: the child runs in a session of its own (so Ctrl+C in a terminal
// reaches it once, through this process, not twice: a second SIGINT stops a training at once), SIGINT, SIGTERM and
// SIGHUP are passed on, and the exit status is the child's. If this process dies without relaying (SIGKILL), the child sees its IPC channel close
// and stops as on SIGTERM (checkpoint, then exit) instead of training on unseen.
import { spawn } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const RELAYED = 'PEFT_LAB_RELAYED';
const { envForInProcessCompute } = await import('../src-main/engine/backends/malloc-tunables.ts');
// Usage text needs no restart.
const wantsHelp = process.argv.slice(3).some((a) => a === '--help' || a === '-h');
const env = wantsHelp ? null : envForInProcessCompute(process.argv[2], process.env);
if (env === null) {
  if (process.env[RELAYED] === '1' && process.channel) {
    delete process.env[RELAYED];
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  await import('../src-main/cli/main.ts');
} else {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...env, [RELAYED]: '1' }, detached: true,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`peft-lab: error: could not start ${process.execPath}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
