// `peft-lab backends`: which TensorFlow.js backends load on this machine, on what device, and why not.
import type { Command } from 'commander';

export function registerBackends(program: Command): void {
  program
    .command('backends')
    .description('list the TensorFlow.js backends, what they run on, and which one "auto" picks')
    .option('--json', 'print one JSON object')
    .action(async (o: { json?: boolean }) => (await import('../actions/backends')).listBackends(o));
}
