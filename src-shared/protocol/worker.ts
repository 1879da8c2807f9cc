// Messages between the host and a run worker (one child process per run, Node IPC channel).
import type { BaseSpec } from '../domain/base-spec';
import type { TemplateSpec } from '../domain/data';
import type { Decoding, SampleMeta } from '../domain/review';
import type { BackendChoice, RunSpec } from '../domain/run-spec';
import type { TrainEvent } from '../domain/train-events';
import type { WireError } from '../errors';

export type HostToWorker =
  | { kind: 'train'; spec: RunSpec; specDir: string; resume: boolean; /** Resume from no checkpoint past this update. */ resumeAtMost?: number }
  | { kind: 'probe'; spec: RunSpec; specDir: string; steps: number }
  | { kind: 'data-stats'; spec: RunSpec; specDir: string }
  | { kind: 'backends' }
  | { kind: 'generate'; job: GenerateJob };

/** Who generates: a run's adapter (final or a checkpoint), or the base model alone (adapterDir null). */
export interface GenerateTarget {
  key: string;
  runId: number | null;
  step: number | null;
  kind: 'final' | 'checkpoint';
  adapterDir: string | null;
  /** The prompts this target still has to answer. */
  promptIds: number[];
}

/** One worker's share of a sweep's generation: one base (folder and storage) loaded once, adapters switched on it. */
export interface GenerateJob {
  model: string;
  base?: BaseSpec;
  backend: BackendChoice;
  template: TemplateSpec;
  decoding: Decoding;
  prompts: { id: number; fields: Record<string, string> }[];
  targets: GenerateTarget[];
}

export interface GeneratedSample {
  target: string;
  promptId: number;
  /** The prompt exactly as the model saw it (template applied). */
  prompt: string;
  output: string;
  tokens: number;
  tokensPerSecond: number;
  stopReason: SampleMeta['stopReason'];
  promptTokens: number;
  /** describeBase of the storage used. */
  base: string;
}

export interface DataStats {
  trainExamples: number;
  validationExamples: number;
  batchesPerEpoch: number;
  /** Optimizer updates the spec's training section amounts to (maxSteps, or epochs × batches / accumulation). */
  maxSteps: number;
  truncated: number;
  dropped: number;
}

export interface BackendsReport {
  auto: string;
  probes: { name: string; available: boolean; device?: string; isGpu?: boolean; reason?: string }[];
}

export type WorkerToHost =
  | { kind: 'event'; event: TrainEvent }
  | { kind: 'resources'; rssBytes: number; peakRssBytes: number; tensorBytes: number }
  | { kind: 'probe-result'; stepSeconds: number[]; backend: string; device: string }
  | { kind: 'probe-failed'; error: WireError }
  | { kind: 'data-stats'; stats: DataStats }
  | { kind: 'backends'; report: BackendsReport }
  | { kind: 'job-failed'; error: WireError }
  | { kind: 'versions'; versions: Record<string, string> }
  | { kind: 'gen-token'; target: string; promptId: number; delta: string }
  | { kind: 'gen-sample'; sample: GeneratedSample }
  | { kind: 'gen-done' };
