// The mutable fields of a run and one UPDATE statement that sets any subset of them: each column is assigned
// `CASE WHEN @set_<field> THEN @<field> ELSE <column> END`, so a single statement, prepared once, serves every patch.
import type { RunDetail } from '../../../src-shared/domain/records';
import { toJsonOrNull } from '../json';

export type RunPatch = Partial<Pick<RunDetail,
  'status' | 'statusReason' | 'step' | 'maxSteps' | 'epoch' | 'lastLoss' | 'valLoss' | 'tokensPerSecond' |
  'etaSeconds' | 'trainableParams' | 'allParams' | 'peakMemoryBytes' | 'backend' | 'device' | 'libraryVersions' |
  'error' | 'startedAt' | 'finishedAt' | 'baseFormat' | 'baseWeightBytes' | 'baseBitsPerWeight'>>;

type Field = keyof RunPatch;

const FIELDS: readonly [Field, string, ((v: unknown) => unknown)?][] = [
  ['status', 'status'], ['statusReason', 'status_reason'], ['step', 'step'], ['maxSteps', 'max_steps'],
  ['epoch', 'epoch'], ['lastLoss', 'last_loss'], ['valLoss', 'val_loss'], ['tokensPerSecond', 'tokens_per_second'],
  ['etaSeconds', 'eta_seconds'], ['trainableParams', 'trainable_params'], ['allParams', 'all_params'],
  ['peakMemoryBytes', 'peak_memory_bytes'], ['backend', 'backend'], ['device', 'device'],
  ['libraryVersions', 'library_versions_json', toJsonOrNull], ['error', 'error_json', toJsonOrNull],
  ['startedAt', 'started_at'], ['finishedAt', 'finished_at'],
  ['baseFormat', 'base_format'], ['baseWeightBytes', 'base_weight_bytes'], ['baseBitsPerWeight', 'base_bits_per_weight'],
];

export const RUN_PATCH_SQL = `UPDATE runs SET ${FIELDS.map(([f, col]) =>
  `${col} = CASE WHEN @set_${f} THEN @${f} ELSE ${col} END`).join(', ')}, updated_at = @updatedAt
  WHERE id = @id RETURNING *`;

/** Named parameters of RUN_PATCH_SQL; fields absent from the patch (undefined) keep their value. */
export function runPatchParams(id: number, patch: RunPatch, updatedAt: string): Record<string, unknown> {
  const params: Record<string, unknown> = { id, updatedAt };
  for (const [f, , encode] of FIELDS) {
    const v = patch[f];
    params[`set_${f}`] = v === undefined ? 0 : 1;
    params[f] = v === undefined ? null : encode ? encode(v) : v;
  }
  return params;
}
