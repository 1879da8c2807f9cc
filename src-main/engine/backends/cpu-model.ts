// The host CPU's model name, used as the device string of the cpu and wasm backends.
import { cpus } from 'node:os';

export function cpuModel(): string {
  const list = cpus();
  const model = list[0]?.model?.trim();
  return `${model && model.length > 0 ? model : 'CPU'} (${list.length} cores)`;
}
