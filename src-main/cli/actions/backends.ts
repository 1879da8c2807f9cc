// `peft-lab backends`: probe every backend, then show which one "auto" picks.
import { probeBackends, useBackend } from '../../engine/backends/index';
import { printJson, printLines } from '../output';

export async function listBackends(o: { json?: boolean }): Promise<void> {
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
}
