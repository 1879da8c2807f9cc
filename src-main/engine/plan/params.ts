// Trainable and total parameters of a method on a model, counted from the same plan that builds the adapter
// (so the numbers equal what training creates), and reported as PEFT's print_trainable_parameters does:
// all params = every base parameter once (tied weights once) + the adapter's.
import type { AdapterMethod, ModelShape, PlannedTensor } from '../adapters/types';
import { countPlanned } from '../adapters/types';
import { peftTrainableLine } from './format';

export interface ParamReport {
  trainable: number;
  base: number;
  all: number;
  trainablePercent: number;
  /** The PEFT-style line. */
  line: string;
  tensors: PlannedTensor[];
  /** Modules the method adapts (HF names). */
  modules: string[];
}

export function baseParameterCount(model: ModelShape): number {
  let n = 0;
  for (const shape of model.arch.expectedWeights(model.config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

export function planParameters<C>(model: ModelShape, method: AdapterMethod<C>, cfg: C): ParamReport {
  const tensors = method.plan(model, cfg);
  const trainable = countPlanned(tensors);
  const base = baseParameterCount(model);
  // Full fine-tuning trains the base's own parameters: nothing is added to them.
  const all = method.savesFullModel ? base : base + trainable;
  const modules = [...new Set(tensors.map((t) => t.module).filter((m): m is string => !!m))];
  return { trainable, base, all, trainablePercent: (100 * trainable) / all, line: peftTrainableLine(trainable, all), tensors, modules };
}
