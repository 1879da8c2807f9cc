// Messages between the host and a run worker (one child process per run, Node IPC channel).
import type { RunSpec } from '../domain/run-spec';
import type { TrainEvent } from '../domain/train-events';
import type { WireError } from '../errors';

export type HostToWorker =
  | { kind: 'train'; spec: RunSpec; specDir: string; resume: boolean }
  | { kind: 'probe'; spec: RunSpec; specDir: string; steps: number }
  | { kind: 'data-stats'; spec: RunSpec; specDir: string }
  | { kind: 'backends' };

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
  | { kind: 'versions'; versions: Record<string, string> };
