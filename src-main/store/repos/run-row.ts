// The runs table's row shape and its mapping to RunRecord / RunDetail.
import type { ArtifactRecord, RunDetail, RunEventRecord, RunRecord, RunStatus } from '../../../src-shared/domain/records';
import type { SweepCell } from '../../../src-shared/domain/sweep-spec';
import type { WireError } from '../../../src-shared/errors';
import { fromJson, fromJsonOrNull } from '../json';

export interface RunRow {
  id: number; sweep_id: number; cell_key: string; cell_json: string; label: string; spec_json: string; seed: number;
  model_id: number; dataset_id: number | null; dataset_sha256: string | null; template_text: string | null;
  status: RunStatus; status_reason: string | null; backend: string | null; device: string | null;
  library_versions_json: string | null; trainable_params: number | null; all_params: number | null;
  peak_memory_bytes: number | null; max_steps: number | null; step: number; epoch: number | null;
  last_loss: number | null; val_loss: number | null; tokens_per_second: number | null; eta_seconds: number | null;
  output_dir: string | null; error_json: string | null; queued_at: string | null; started_at: string | null;
  finished_at: string | null; updated_at: string;
  base_format: string | null; base_weight_bytes: number | null; base_bits_per_weight: number | null;
  /** Migration 7's column; absent (undefined) until that migration is listed in MIGRATIONS. */
  worker?: string | null;
}

export function runRecord(r: RunRow): RunRecord {
  return {
    id: r.id, sweepId: r.sweep_id, cellKey: r.cell_key, cell: fromJson<SweepCell>(r.cell_json), label: r.label,
    status: r.status, statusReason: r.status_reason, step: r.step, maxSteps: r.max_steps, epoch: r.epoch,
    lastLoss: r.last_loss, valLoss: r.val_loss, tokensPerSecond: r.tokens_per_second, etaSeconds: r.eta_seconds,
    trainableParams: r.trainable_params, allParams: r.all_params, peakMemoryBytes: r.peak_memory_bytes,
    backend: r.backend, device: r.device, outputDir: r.output_dir, error: fromJsonOrNull<WireError>(r.error_json),
    queuedAt: r.queued_at, startedAt: r.started_at, finishedAt: r.finished_at, updatedAt: r.updated_at,
    baseFormat: r.base_format, baseWeightBytes: r.base_weight_bytes, baseBitsPerWeight: r.base_bits_per_weight,
    worker: r.worker ?? null,
  };
}

export function runDetail(r: RunRow, artifacts: ArtifactRecord[], events: RunEventRecord[]): RunDetail {
  return {
    ...runRecord(r), spec: fromJson<unknown>(r.spec_json), seed: r.seed, datasetSha256: r.dataset_sha256,
    templateText: r.template_text, libraryVersions: fromJsonOrNull<Record<string, string>>(r.library_versions_json),
    artifacts, events,
  };
}
