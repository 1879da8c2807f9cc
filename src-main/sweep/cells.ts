// From a sweep cell to what the engine runs: the method config, the base bit width, and whether the engine can
// run it at all. Methods and base formats the engine does not implement are reported as unavailable (never
// faked); combinations that cannot exist (QLoRA is LoRA on a 4-bit base) are impossible.
import type { BaseSpec } from '../../src-shared/domain/base-spec';
import { BaseSpecSchema, QLORA_BASE } from '../../src-shared/domain/base-spec';
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
  if (cell.method === 'full' && cell.bits !== 32) {
    return { state: 'impossible', reason: `full fine-tuning trains the base weights themselves, which cannot be trained while packed at ${cell.bits} bits. Use bit width 32, or an adapter method on a ${cell.bits}-bit base.` };
  }
  return { state: 'ok' };
}

/** The base storage of a cell: its bit width with the defaults of that width; QLoRA's is NF4 + double quantisation. */
export function cellBase(cell: SweepCell): BaseSpec {
  return BaseSpecSchema.parse(cell.method === 'qlora' ? QLORA_BASE : { bits: cell.bits });
}

/** The method config of a cell, by engine method: LoRA and MoRA use the cell's r and targets (MoRA type 1, the
 *  fork's default; lora_alpha is unused by MoRA), IA3 uses PEFT's per-architecture targets and feed-forward modules,
 *  prompt/prefix tuning and full fine-tuning use neither. */
const CELL_CONFIGS: Record<string, (spec: SweepSpec, cell: SweepCell) => MethodConfigInput> = {
  lora: (spec, cell) => ({
    method: 'lora', r: cell.r, loraAlpha: cell.loraAlpha, loraDropout: spec.lora.dropout, targetModules: targetSetModules(cell.targets),
  }),
  mora: (spec, cell) => ({ method: 'mora', r: cell.r, loraDropout: spec.lora.dropout, targetModules: targetSetModules(cell.targets) }),
  ia3: () => ({ method: 'ia3' }),
  // Prompt-learning methods at PEFT's usual size (20 virtual tokens); full fine-tuning trains every weight.
  prompt: () => ({ method: 'prompt', numVirtualTokens: 20 }),
  prefix: () => ({ method: 'prefix', numVirtualTokens: 20 }),
  full: () => ({ method: 'full' }),
};

export function cellMethodConfig(spec: SweepSpec, cell: SweepCell): MethodConfigInput {
  const make = CELL_CONFIGS[engineMethod(cell)];
  if (!make) throw new Error(`no cell configuration for method ${cell.method}`);
  return make(spec, cell);
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
    base: cellBase(cell),
    training: { ...spec.training, learningRate: cell.learningRate, seed: cell.seed },
    output: outputDir,
    backend: spec.backend,
  };
}
