// `peft-lab backends`: which TensorFlow.js backends load on this machine, on what device, and why not.
import type { Command } from 'commander';
import { probeBackends, useBackend } from '../../engine/backends/index';
import { printJson, printLines } from '../output';

export function registerBackends(program: Command): void {
  program
    .command('backends')
    .description('list the TensorFlow.js backends, what they run on, and which one "auto" picks')
    .option('--json', 'print one JSON object')
    .action(async (o: { json?: boolean }) => {
      const probes = await probeBackends();
      const auto = await useBackend('auto');
      if (o.json) {
        printJson({ auto: auto.name, backends: probes });
        return;
      }
      printLines([
        ...probes.map((p) => `${p.available ? '✓' : '✗'} ${p.name.padEnd(10)} ${p.available ? p.device : p.reason}`),
        `auto → ${auto.name}`,
      ]);
    });
}
