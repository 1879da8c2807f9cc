// The host's API: every request as a `'domain/verb'` key with a zod schema for its params (validated by the host
// for every transport) and the TypeScript type of its result. The client is generic over these keys.
import { z } from 'zod';
import { DatasetFormatSchema, SequenceSpecSchema, TemplateSpecSchema } from '../domain/data';
import type { CellPreflight, Preflight } from '../domain/preflight';
import type { DatasetRecord, MetricName, MetricPoint, ModelRecord, RunDetail, RunRecord, SweepRecord } from '../domain/records';
import { METRIC_NAMES } from '../domain/records';
import { BACKEND_CHOICES } from '../domain/run-spec';
import type { BackendChoice } from '../domain/run-spec';
import { SweepSpecSchema } from '../domain/sweep-spec';
import type { JudgementRecord, RatingRecord, ReviewPrompt, ReviewSettings } from '../domain/review';
import { NewPromptSchema, REVIEW_FLAGS, ReviewSettingsSchema, VERDICTS } from '../domain/review';
import type { BlindPair, ExportFile, GenerationStatus, MatrixSample, ReviewMatrix, StudySummary } from '../domain/review-views';
import type { StudyPresetInfo, StudyVerdict } from '../domain/study-preset';
import { STUDY_PRESET_IDS, STUDY_VARIANTS } from '../domain/study-preset';
import type { SweepSpec } from '../domain/sweep-spec';
import type { HubPlan, HubProgress, HubTokenStatus } from '../domain/hub';
import { HubTokenSchema, RepoIdSchema, RevisionSchema } from '../domain/hub';

const id = z.number().int().positive();
const empty = z.strictObject({});

export const ParamSchemas = {
  'app/info': empty,
  'settings/get': empty,
  'settings/set': z.strictObject({
    concurrency: z.number().int().min(1).max(64).nullable().optional(),
    backend: z.enum(BACKEND_CHOICES).optional(),
    /** Redis URL of the queue remote workers take cells from (redis://HOST:PORT); null clears it. */
    queueUrl: z.string().max(500).nullable().optional(),
  }),
  'models/list': empty,
  'models/register': z.strictObject({ path: z.string().min(1), name: z.string().min(1).max(200).optional() }),
  'models/remove': z.strictObject({ id }),
  /** Points a registered model at the folder it moved to (the same files, checked by name and size). */
  'models/relocate': z.strictObject({ id, path: z.string().min(1) }),
  /** Reads a registered folder again (after it changed) and stores what it holds now. */
  'models/refresh': z.strictObject({ id }),
  /** What a Hub download would fetch (files, sizes, what the cache has) before starting it. */
  'hub/plan': z.strictObject({ repo: RepoIdSchema, revision: RevisionSchema.optional(), token: HubTokenSchema.optional() }),
  /** Downloads a Hub model into the shared cache and registers it; progress as `hub/progress` events too. */
  'hub/download': z.strictObject({ repo: RepoIdSchema, revision: RevisionSchema.optional(), token: HubTokenSchema.optional(), name: z.string().min(1).max(200).optional() }),
  'hub/token/status': empty,
  /** Keeps a token for this app: the OS keychain in the desktop, memory for the session in web mode. */
  'hub/token/set': z.strictObject({ token: HubTokenSchema }),
  'hub/token/clear': empty,
  'datasets/list': empty,
  'datasets/register': z.strictObject({ path: z.string().min(1), name: z.string().min(1).max(200).optional(), format: DatasetFormatSchema.optional() }),
  'datasets/preview': z.strictObject({
    datasetId: id, modelId: id, template: TemplateSpecSchema, sequence: SequenceSpecSchema,
    fields: z.record(z.string(), z.string()).optional(), count: z.number().int().min(1).max(50).default(5),
  }),
  'sweeps/preflight': z.strictObject({ spec: SweepSpecSchema }),
  'sweeps/probe': z.strictObject({ spec: SweepSpecSchema, cellKeys: z.array(z.string()).optional() }),
  'sweeps/create': z.strictObject({ spec: SweepSpecSchema, launch: z.boolean().default(true) }),
  'sweeps/list': empty,
  'sweeps/get': z.strictObject({ id }),
  'sweeps/launch': z.strictObject({ id }),
  'sweeps/stop': z.strictObject({ id }),
  'runs/list': z.strictObject({ sweepId: id.optional() }),
  'runs/get': z.strictObject({ id }),
  'runs/stop': z.strictObject({ id }),
  'runs/resume': z.strictObject({ id }),
  'metrics/series': z.strictObject({
    runIds: z.array(id).max(500).default([]),
    /** Also every run of this sweep (ascending id), for a chart that opens before its runs are listed. */
    sweepId: id.optional(),
    names: z.array(z.enum(METRIC_NAMES)).min(1),
    /** Points per series at most (downsampled with LTTB beyond that). */
    maxPoints: z.number().int().min(10).max(10_000).default(1000),
  }).refine((p) => p.runIds.length > 0 || p.sweepId !== undefined, { message: 'runIds or sweepId is required', path: ['runIds'] }),
  'review/prompts/list': z.strictObject({ sweepId: id }),
  'review/prompts/add': z.strictObject({ sweepId: id, prompts: z.array(NewPromptSchema).min(1).max(1000) }),
  'review/prompts/remove': z.strictObject({ id }),
  /** Examples of the sweep's validation split (rendered instruction + reference), to pick review prompts from. */
  'review/prompts/candidates': z.strictObject({ sweepId: id, limit: z.number().int().min(1).max(500).default(50) }),
  /** A JSONL / JSON / CSV file's text (read by the renderer), each record a prompt (+ reference when present). */
  'review/prompts/import': z.strictObject({
    sweepId: id, content: z.string().min(1).max(20_000_000), format: z.enum(['jsonl', 'json', 'csv']), name: z.string().max(300).default('import'),
  }),
  'review/settings/get': z.strictObject({ sweepId: id }),
  'review/settings/set': z.strictObject({ sweepId: id, settings: ReviewSettingsSchema }),
  /** Queues generation of every missing (run or base) × prompt output; returns at once, progress as events. */
  'review/generate': z.strictObject({ sweepId: id, force: z.boolean().default(false) }),
  'review/matrix': z.strictObject({ sweepId: id }),
  'review/rate': z.strictObject({
    sampleId: id, score: z.number().int().min(1).max(5).nullable(), flags: z.array(z.enum(REVIEW_FLAGS)).max(4).default([]),
    note: z.string().max(10_000).nullable().default(null),
  }),
  'review/pairs/next': z.strictObject({ sweepId: id, rater: z.string().trim().min(1).max(100) }),
  'review/pairs/judge': z.strictObject({
    sweepId: id, promptId: id, leftSampleId: id, rightSampleId: id, verdict: z.enum(VERDICTS), rater: z.string().trim().min(1).max(100),
    repeatOf: id.nullable().default(null),
  }),
  'review/summary': z.strictObject({ sweepId: id }),
  'review/export': z.strictObject({ sweepId: id, format: z.enum(['csv', 'md', 'json']) }),
  'studies/list': empty,
  /** A study preset's sweep spec for the builder (its model and dataset registered, generated data written). */
  'studies/prepare': z.strictObject({ preset: z.enum(STUDY_PRESET_IDS), variant: z.enum(STUDY_VARIANTS).default('quick') }),
  /** The measured verdict of a sweep built from a study preset (null for other sweeps). */
  'studies/verdict': z.strictObject({ sweepId: id }),
} as const;

export interface AppInfo {
  version: string;
  dataDir: string;
  mode: 'desktop' | 'web' | 'cli';
  cores: number;
  totalMemory: number;
  freeMemory: number;
  backends: { name: string; available: boolean; device?: string; reason?: string }[];
  /** Host event-loop delay since start, ms: how responsive the host has been. */
  eventLoopLag: { p50: number; p99: number; max: number };
}

export interface Settings {
  /** Runs at once; null = automatic (one per core on CPU backends, one per GPU otherwise). */
  concurrency: number | null;
  effectiveConcurrency: number;
  backend: BackendChoice;
  /** Redis URL of the queue remote workers take cells from; null: every run trains in a local worker. */
  queueUrl: string | null;
}

export interface DatasetPreview {
  examples: { index: number; record: Record<string, string>; prompt: string; response: string; promptTokens: number; responseTokens: number; truncated: boolean }[];
  total: number;
  truncated: number;
  droppedNoTarget: number;
}

export interface MetricSeries {
  runId: number;
  name: MetricName;
  /** [step, value, epoch, tokens] rows, ascending step; downsampled when `total` > maxPoints. */
  points: [number, number, number | null, number | null][];
  total: number;
  lastStep: number | null;
}

export interface ProbeProgress {
  cellKey: string;
  done: number;
  total: number;
  stepSeconds: number | null;
}

type P<K extends keyof typeof ParamSchemas> = z.input<(typeof ParamSchemas)[K]>;

export interface Api {
  'app/info': { params: P<'app/info'>; result: AppInfo };
  'settings/get': { params: P<'settings/get'>; result: Settings };
  'settings/set': { params: P<'settings/set'>; result: Settings };
  'models/list': { params: P<'models/list'>; result: ModelRecord[] };
  'models/register': { params: P<'models/register'>; result: ModelRecord };
  'models/remove': { params: P<'models/remove'>; result: null };
  'models/relocate': { params: P<'models/relocate'>; result: ModelRecord };
  'models/refresh': { params: P<'models/refresh'>; result: ModelRecord };
  'hub/plan': { params: P<'hub/plan'>; result: HubPlan };
  'hub/download': { params: P<'hub/download'>; result: ModelRecord; progress: HubProgress };
  'hub/token/status': { params: P<'hub/token/status'>; result: HubTokenStatus };
  'hub/token/set': { params: P<'hub/token/set'>; result: HubTokenStatus };
  'hub/token/clear': { params: P<'hub/token/clear'>; result: HubTokenStatus };
  'datasets/list': { params: P<'datasets/list'>; result: DatasetRecord[] };
  'datasets/register': { params: P<'datasets/register'>; result: DatasetRecord };
  'datasets/preview': { params: P<'datasets/preview'>; result: DatasetPreview };
  'sweeps/preflight': { params: P<'sweeps/preflight'>; result: Preflight };
  'sweeps/probe': { params: P<'sweeps/probe'>; result: CellPreflight[]; progress: ProbeProgress };
  'sweeps/create': { params: P<'sweeps/create'>; result: SweepRecord };
  'sweeps/list': { params: P<'sweeps/list'>; result: SweepRecord[] };
  'sweeps/get': { params: P<'sweeps/get'>; result: { sweep: SweepRecord; runs: RunRecord[] } };
  'sweeps/launch': { params: P<'sweeps/launch'>; result: SweepRecord };
  'sweeps/stop': { params: P<'sweeps/stop'>; result: SweepRecord };
  'runs/list': { params: P<'runs/list'>; result: RunRecord[] };
  'runs/get': { params: P<'runs/get'>; result: RunDetail };
  'runs/stop': { params: P<'runs/stop'>; result: RunRecord };
  'runs/resume': { params: P<'runs/resume'>; result: RunRecord };
  'metrics/series': { params: P<'metrics/series'>; result: MetricSeries[] };
  'review/prompts/list': { params: P<'review/prompts/list'>; result: ReviewPrompt[] };
  'review/prompts/add': { params: P<'review/prompts/add'>; result: ReviewPrompt[] };
  'review/prompts/remove': { params: P<'review/prompts/remove'>; result: null };
  'review/prompts/candidates': { params: P<'review/prompts/candidates'>; result: PromptCandidate[] };
  'review/prompts/import': { params: P<'review/prompts/import'>; result: ReviewPrompt[] };
  'review/settings/get': { params: P<'review/settings/get'>; result: ReviewSettings };
  'review/settings/set': { params: P<'review/settings/set'>; result: ReviewSettings };
  'review/generate': { params: P<'review/generate'>; result: GenerationStatus };
  'review/matrix': { params: P<'review/matrix'>; result: ReviewMatrix };
  'review/rate': { params: P<'review/rate'>; result: RatingRecord };
  'review/pairs/next': { params: P<'review/pairs/next'>; result: BlindPair | null };
  'review/pairs/judge': { params: P<'review/pairs/judge'>; result: JudgementRecord };
  'review/summary': { params: P<'review/summary'>; result: StudySummary };
  'review/export': { params: P<'review/export'>; result: ExportFile };
  'studies/list': { params: P<'studies/list'>; result: StudyPresetInfo[] };
  'studies/prepare': { params: P<'studies/prepare'>; result: { spec: SweepSpec } };
  'studies/verdict': { params: P<'studies/verdict'>; result: StudyVerdict | null };
}

export interface PromptCandidate {
  /** Position in the validation split. */
  index: number;
  text: string;
  fields: Record<string, string>;
  reference: string | null;
}

/** Text a worker generated since the last push, per (author, prompt, step): outputs appear while they are written. */
export interface TokenChunk {
  runId: number | null;
  promptId: number;
  step: number | null;
  kind: 'final' | 'checkpoint';
  text: string;
}

export type Method = keyof Api;
export type ParamsOf<K extends Method> = Api[K]['params'];
export type ResultOf<K extends Method> = Api[K]['result'];
export type ProgressOf<K extends Method> = Api[K] extends { progress: infer G } ? G : never;

/** Events the host pushes. */
export interface Events {
  'run/updated': RunRecord;
  /** New metric points of one run since the last push (throttled). */
  'run/metrics': { runId: number; points: MetricPoint[] };
  'sweep/updated': SweepRecord;
  'models/changed': null;
  /** Progress of a Hub download (bytes, speed, ETA), to every window. */
  'hub/progress': HubProgress;
  'datasets/changed': null;
  'review/tokens': { sweepId: number; chunks: TokenChunk[] };
  /** A stored sample, scored against its prompt's reference. */
  'review/sample': MatrixSample;
  'review/generation': GenerationStatus;
  'review/prompts': { sweepId: number };
}
export type EventName = keyof Events;

export const METHODS = Object.keys(ParamSchemas) as Method[];
