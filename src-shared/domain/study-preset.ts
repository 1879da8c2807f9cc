// Study presets: sweeps that re-run, at the demo model's scale, the experiments behind the methods PEFT Lab offers
// (Databricks' r × modules × bits study, MoRA's UUID memorisation, the LoRA paper's rank analysis, soft prompts vs
// weight methods). What every side shares: which preset a sweep came from (kept in the sweep spec), what the
// host lists, and the verdict it computes from the stored runs.
import { z } from 'zod';

export const STUDY_PRESET_IDS = ['which-r-modules', 'mora-memorisation', 'rank-saturation', 'soft-prompts'] as const;
export type StudyPresetId = (typeof STUDY_PRESET_IDS)[number];

export const STUDY_VARIANTS = ['quick', 'full'] as const;
export type StudyVariant = (typeof STUDY_VARIANTS)[number];

/** Stored in a sweep spec (`study`): the preset it was built from; the sweep stays an ordinary, editable sweep. */
export const StudyRefSchema = z.strictObject({
  preset: z.enum(STUDY_PRESET_IDS),
  variant: z.enum(STUDY_VARIANTS),
});
export type StudyRef = z.infer<typeof StudyRefSchema>;

/** The published result a preset is compared with. */
export interface PublishedFinding {
  /** The finding in one or two sentences. */
  text: string;
  /** Who, where, when. */
  citation: string;
  url: string;
}

export interface StudyVariantInfo {
  runs: number;
  steps: number;
  seeds: number[];
}

/** What `studies/list` and `peft-lab study list` show. */
export interface StudyPresetInfo {
  id: StudyPresetId;
  name: string;
  question: string;
  /** The grid in words. */
  grid: string;
  /** The metrics the verdict reads. */
  metrics: string[];
  finding: PublishedFinding;
  variants: Record<StudyVariant, StudyVariantInfo>;
}

export const CLAIM_OUTCOMES = ['agrees', 'disagrees', 'within seed noise', 'not enough runs'] as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];

/** One checkable statement of a published finding, judged on one metric. */
export interface ClaimVerdict {
  /** The statement being checked, e.g. "all linear layers beat doubling r". */
  claim: string;
  metric: string;
  outcome: ClaimOutcome;
  /** The measured numbers behind the outcome, in a sentence. */
  measured: string;
}

/** How a difference is judged: the spread across seeds, or (one seed) a stated tolerance. */
export interface NoiseBasis {
  kind: 'seeds' | 'tolerance';
  /** Per-metric spread (pooled sample SD of one run) or tolerance, by metric name. */
  values: Record<string, number>;
  text: string;
}

/** One configuration (seeds averaged) as the verdict table shows it. */
export interface StudyTableRow {
  label: string;
  method: string;
  r: number | null;
  targets: string | null;
  bits: number;
  /** PEFT's trainable-parameter count of the configuration, as stored with its runs. */
  trainableParams: number | null;
  runs: number;
  /** Metric name → mean over seeds (null when no finished run has it). */
  values: Record<string, number | null>;
}

export interface StudyVerdict {
  sweepId: number;
  preset: StudyPresetId;
  variant: StudyVariant;
  name: string;
  question: string;
  finding: PublishedFinding;
  claims: ClaimVerdict[];
  noise: NoiseBasis;
  /** Metric columns of `rows`, in order. */
  metrics: string[];
  rows: StudyTableRow[];
  /** Finished runs used / runs of the sweep. */
  finishedRuns: number;
  totalRuns: number;
  /** The one-line summary: every claim's outcome. */
  line: string;
}
