// The shapes the study presets are written in: a run as the verdict sees it, a metric column, and a preset
// (its description, how it builds its sweep, and the claims it checks).
import type { RunStatus } from '../../src-shared/domain/records';
import type { ClaimVerdict, StudyPresetInfo, StudyVariant } from '../../src-shared/domain/study-preset';
import type { SweepCell, SweepSpec } from '../../src-shared/domain/sweep-spec';
import type { Judge } from './judge';

/** A stored run, reduced to what verdicts read. */
export interface StudyRun {
  runId: number;
  cell: SweepCell;
  label: string;
  status: RunStatus;
  trainableParams: number | null;
  valLoss: number | null;
  trainLoss: number | null;
  /** char_accuracy points (step, value), ascending. */
  charAccuracy: { step: number; value: number }[];
  /** Bradley-Terry θ from the blind pairwise review, when the run was judged. */
  pairwiseTheta: number | null;
}

export interface StudyMetric {
  name: string;
  higherIsBetter: boolean;
  /** What counts as noise when there is only one seed. */
  tolerance: number;
  digits: number;
  of(run: StudyRun): number | null;
}

/** Where a preset finds its inputs. */
export interface StudyEnv {
  /** resources/demo (model/, data/). */
  demoDir: string;
  /** Where generated datasets are written (under the data folder). */
  generatedDir: string;
}

export interface StudyPreset {
  info: StudyPresetInfo;
  /** The sweep, ready for sweeps/create (absolute paths; datasets it needs are written first). */
  build(env: StudyEnv, variant: StudyVariant): Promise<SweepSpec>;
  /** Table columns. */
  metrics(runs: readonly StudyRun[]): StudyMetric[];
  /** The published finding, claim by claim, judged on the finished runs. */
  claims(runs: readonly StudyRun[], judge: Judge, metrics: readonly StudyMetric[]): ClaimVerdict[];
}
