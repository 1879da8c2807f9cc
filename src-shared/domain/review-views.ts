// What the review screens receive from the host: the generation matrix, the state of a sweep's generation, the
// next blind pair, and the study summary with its per-axis effects, pairwise scores and position bias.
import type { AxisEffect } from '../review/axis-effects';
import type { PositionBias } from '../review/position-bias';
import type { RunStatus } from './records';
import type { RatingRecord, ReviewPrompt, ReviewSettings, SampleRecord } from './review';
import type { SweepCell } from './sweep-spec';

export interface GenerationStatus {
  sweepId: number;
  state: 'idle' | 'queued' | 'running' | 'failed';
  /** Samples stored by the current job, and how many it will store. */
  done: number;
  total: number;
  error: string | null;
}

/** One author of outputs: the base model (runId null) or a run. */
export interface MatrixColumn {
  key: string;
  runId: number | null;
  label: string;
  cell: SweepCell | null;
  status: RunStatus | null;
  valLoss: number | null;
  /** exp(validation loss). */
  perplexity: number | null;
}

export interface MatrixSample extends SampleRecord {
  /** Against the prompt's reference response, when it has one. */
  rougeL: number | null;
  bleu: number | null;
}

export interface ReviewMatrix {
  sweepId: number;
  prompts: ReviewPrompt[];
  columns: MatrixColumn[];
  /** Every stored sample; the newest final sample of a (column, prompt) is the one shown. */
  samples: MatrixSample[];
  ratings: RatingRecord[];
  settings: ReviewSettings;
  generation: GenerationStatus;
}

/** Two outputs of one prompt, authors hidden. */
export interface BlindPair {
  promptId: number;
  promptText: string;
  reference: string | null;
  left: { sampleId: number; output: string };
  right: { sampleId: number; output: string };
  repeatOf: number | null;
  /** Judgements so far in this sweep, by this rater, and distinct pairs available. */
  judged: number;
  judgedByRater: number;
  pairs: number;
}

export interface PairwiseScore {
  key: string;
  label: string;
  /** Bradley-Terry log-strength (0 = average), its 95% bootstrap interval, and the Elo-scale reading. */
  theta: number | null;
  lo: number | null;
  hi: number | null;
  elo: number | null;
  wins: number;
  losses: number;
  ties: number;
}

export interface SummaryRow {
  key: string;
  runId: number | null;
  label: string;
  method: string;
  r: number | null;
  targets: string | null;
  bits: number | null;
  loraAlpha: number | null;
  learningRate: number | null;
  seed: number | null;
  trainableParams: number | null;
  trainSeconds: number | null;
  peakMemoryBytes: number | null;
  baseWeightBytes: number | null;
  baseBitsPerWeight: number | null;
  finalTrainLoss: number | null;
  valLoss: number | null;
  perplexity: number | null;
  meanRating: number | null;
  ratings: number;
  rougeL: number | null;
  bleu: number | null;
  pairwise: PairwiseScore | null;
  exampleOutput: string | null;
  examplePromptId: number | null;
}

export interface AxisPairwise {
  axis: string;
  scores: PairwiseScore[];
}

export interface StudySummary {
  sweepId: number;
  name: string;
  rows: SummaryRow[];
  /** Scores compared per axis value ("which setting matters"). */
  effects: AxisEffect[];
  axisPairwise: AxisPairwise[];
  positionBias: PositionBias;
  judgements: number;
  raters: string[];
  seedReplicates: boolean;
  /** How the numbers were computed, in words (shown under the table and in exports). */
  methods: Record<'pairwise' | 'intervals' | 'rougeL' | 'bleu' | 'perplexity', string>;
}

export interface ExportFile {
  filename: string;
  mime: string;
  content: string;
}
