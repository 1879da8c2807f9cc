// What the host stores and hands to the renderer: plain, serialisable records (no class instances).
import type { WireError } from '../errors';
import type { SweepCell, SweepSpec } from './sweep-spec';

export interface ModelRecord {
  id: number;
  name: string;
  path: string;
  /** 'weights': a loadable model; 'config': config.json only (planning). */
  kind: 'weights' | 'config';
  modelType: string;
  hiddenSize: number;
  numLayers: number;
  vocabSize: number;
  /** Base parameters (PEFT's count, tied weights once). */
  params: number;
  hasTokenizer: boolean;
  hasChatTemplate: boolean;
  /** Storage dtype of the weights, e.g. "F32", "BF16"; null for config-only. */
  dtype: string | null;
  linearModules: string[];
  createdAt: string;
  /** How the weights are stored: as saved by bitsandbytes (4 / 8-bit) or not quantised. */
  quantization: ModelQuantization;
  /** Bytes the folder's files take; null when the folder cannot be read. */
  diskBytes: number | null;
  /** Where it was downloaded from, for a model fetched from the Hugging Face Hub. */
  source: ModelSource | null;
  /** What changed in the folder since it was registered (checked on list and before a run); null: unchanged. */
  changed: string | null;
}

export type ModelQuantization = 'none' | 'bnb-4bit' | 'bnb-8bit';

export interface ModelSource {
  repo: string;
  revision: string;
  commit: string;
  endpoint: string;
}

export interface DatasetRecord {
  id: number;
  name: string;
  path: string;
  format: 'jsonl' | 'json' | 'csv';
  sha256: string;
  records: number;
  /** Columns seen in the file. */
  fields: string[];
  bytes: number;
  createdAt: string;
}

export const RUN_STATUSES = ['queued', 'running', 'finished', 'failed', 'interrupted', 'stopped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunRecord {
  id: number;
  sweepId: number;
  cellKey: string;
  cell: SweepCell;
  label: string;
  status: RunStatus;
  /** Why the run is interrupted/failed/stopped, in a sentence. */
  statusReason: string | null;
  step: number;
  maxSteps: number | null;
  epoch: number | null;
  lastLoss: number | null;
  valLoss: number | null;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  trainableParams: number | null;
  allParams: number | null;
  peakMemoryBytes: number | null;
  /** The frozen base's storage, measured from its tensors at the start ("float32", "nf4+dq", "int8", ...). */
  baseFormat: string | null;
  baseWeightBytes: number | null;
  /** Bits per quantised (decoder linear) weight, constants included: 4.127 for NF4 + double quantisation. */
  baseBitsPerWeight: number | null;
  /** The queue worker that trains (or trained) the run, when it ran through the distributed queue; null: local. */
  worker: string | null;
  backend: string | null;
  device: string | null;
  outputDir: string | null;
  error: WireError | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface RunDetail extends RunRecord {
  /** Full run spec snapshot as the worker received it. */
  spec: unknown;
  seed: number;
  datasetSha256: string | null;
  templateText: string | null;
  libraryVersions: Record<string, string> | null;
  artifacts: ArtifactRecord[];
  events: RunEventRecord[];
}

export interface ArtifactRecord {
  id: number;
  runId: number;
  kind: 'checkpoint' | 'adapter' | 'log';
  step: number | null;
  path: string;
  bytes: number | null;
  createdAt: string;
}

export interface RunEventRecord {
  id: number;
  runId: number;
  time: string;
  type: string;
  payload: unknown;
}

export const SWEEP_STATUSES = ['draft', 'queued', 'running', 'finished', 'stopped'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

export interface SweepRecord {
  id: number;
  name: string;
  spec: SweepSpec;
  status: SweepStatus;
  createdAt: string;
  updatedAt: string;
  counts: Record<RunStatus, number>;
}

export const METRIC_NAMES = ['train_loss', 'val_loss', 'lr', 'grad_norm', 'tokens_per_second', 'char_accuracy'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricPoint {
  name: MetricName;
  step: number;
  value: number;
  epoch: number | null;
  /** Tokens processed up to and including this step. */
  tokens: number | null;
}

