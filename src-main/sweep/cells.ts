// From a sweep cell to what the engine runs: the method config, the base bit width, and whether the engine can
// run it at all. Methods and base formats the engine does not implement are reported as unavailable (never
// faked); combinations that cannot exist (QLoRA is LoRA on a 4-bit base) are impossible.
import type { MethodConfigInput } from '../../src-shared/domain/methods';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import type { SweepCell, SweepSpec } from '../../src-shared/domain/sweep-spec';
import { targetSetModules } from '../../src-shared/domain/sweep-spec';
import type { CellAvailability } from '../../src-shared/domain/preflight';
import { adapterMethodNames } from '../engine/adapters/index';
import { supportedBaseBits } from '../engine/quant/formats';

/** The engine method a sweep method trains (QLoRA trains LoRA adapters). */
export function engineMethod(cell: SweepCell): string {
  return cell.method === 'qlora' ? 'lora' : cell.method;
}

export function cellAvailability(cell: SweepCell): CellAvailability {
  if (cell.method === 'qlora' && cell.bits !== 4) {
    return { state: 'impossible', reason: `QLoRA trains LoRA on a 4-bit (NF4) base; a ${cell.bits}-bit QLoRA cell does not exist. Use bit width 4, or method lora for ${cell.bits} bits.` };
  }
  if (!adapterMethodNames().includes(engineMethod(cell))) {
    return { state: 'unavailable', reason: `${cell.method} is not implemented in this version of PEFT Lab yet` };
  }
  if (!supportedBaseBits().includes(cell.bits)) {
    return { state: 'unavailable', reason: `${cell.bits}-bit base weights are not implemented in this version yet (available: ${supportedBaseBits().join(', ')}-bit)` };
  }
  return { state: 'ok' };
}

export function cellMethodConfig(spec: SweepSpec, cell: SweepCell): MethodConfigInput {
  return {
    method: 'lora',
    r: cell.r,
    loraAlpha: cell.loraAlpha,
    loraDropout: spec.lora.dropout,
    targetModules: targetSetModules(cell.targets),
  };
}

/** The complete run spec of one cell (absolute paths, so the snapshot stands on its own). */
export function cellRunSpec(spec: SweepSpec, cell: SweepCell, outputDir: string): RunSpec {
  return {
    name: cell.label,
    model: spec.model,
    dataset: spec.dataset,
    template: spec.template,
    sequence: spec.sequence,
    method: cellMethodConfig(spec, cell) as RunSpec['method'],
    training: { ...spec.training, learningRate: cell.learningRate, seed: cell.seed },
    output: outputDir,
    backend: spec.backend,
  };
}
