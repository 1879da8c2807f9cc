// What the sweep builder shows for every cell before anything is queued.
import type { SweepCell } from './sweep-spec';

export type CellAvailability =
  | { state: 'ok' }
  /** The method or bit width exists in the app's plan but is not implemented yet. */
  | { state: 'unavailable'; reason: string }
  /** The cell cannot run at all (e.g. r larger than a module, qlora at 8 bits, a target that does not exist). */
  | { state: 'impossible'; reason: string }
  /** Resolves to exactly the same run as an earlier cell. */
  | { state: 'duplicate'; of: string; reason: string };

export interface MemoryBreakdown {
  baseWeightBytes: number;
  adapterBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  /** What a training step holds for its backward pass (less with training.gradientCheckpointing). */
  activationBytes: number;
  /** The worker process itself (Node, TensorFlow.js, kernels): measured, not derived. */
  runtimeBytes: number;
  totalBytes: number;
}

export interface CellPreflight {
  cell: SweepCell;
  availability: CellAvailability;
  trainableParams: number | null;
  allParams: number | null;
  /** PEFT's print_trainable_parameters line. */
  peftLine: string | null;
  adaptedModules: number | null;
  memory: MemoryBreakdown | null;
  /** Seconds per optimizer update measured by a short probe (null until probed). */
  stepSeconds: number | null;
  /** stepSeconds × updates (null until probed). */
  estimatedSeconds: number | null;
  /** Memory estimate within the budget of the chosen backend. */
  fits: boolean | null;
}

export interface Preflight {
  cells: CellPreflight[];
  /** Optimizer updates every run of the sweep will make. */
  maxSteps: number;
  trainExamples: number;
  validationExamples: number;
  /** Memory the chosen backend can use, and why that number. */
  memoryBudget: { bytes: number; basis: string };
  backend: string;
  warnings: string[];
}
