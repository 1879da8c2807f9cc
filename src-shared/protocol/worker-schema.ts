// The messages a run worker sends the host (worker.ts WorkerToHost) as zod schemas: the host checks each one on
// arrival, so a worker that sends something malformed (a bug, a version mismatch, a damaged IPC stream) is stopped
// with a clear reason instead of a TypeError inside the host. Objects are loose: fields added to an event pass.
import { z } from 'zod';
import type { ErrorCode, WireError } from '../errors';
import type { TrainEvent } from '../domain/train-events';
import type { WorkerToHost } from './worker';

/** A measured value: Node's IPC channel sends JSON, so a NaN or infinite loss/rate arrives as null (kept as before). */
const num = z.custom<number>((v) => typeof v === 'number' || v === null, 'expected a number');
const count = z.number().int().nonnegative();

const WireErrorSchema: z.ZodType<WireError> = z.looseObject({
  name: z.string(),
  code: z.custom<ErrorCode>((v) => typeof v === 'string' && v.length > 0 && v.length <= 64),
  message: z.string(),
  stack: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const TrainEventSchema: z.ZodType<TrainEvent> = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('start'), backend: z.string(), device: z.string(), trainExamples: count, validationExamples: count, trainableParams: count,
    allParams: count, maxSteps: count, resumedFrom: count.nullable(), truncated: count, dropped: count, baseFormat: z.string(),
    baseWeightBytes: num, baseBitsPerWeight: num,
  }),
  z.looseObject({ type: z.literal('step'), step: count, loss: num, lr: num, gradNorm: num, tokens: num, tokensPerSecond: num, epoch: num, seconds: num }),
  z.looseObject({ type: z.literal('eval'), step: count, valLoss: num, valPerplexity: num, tokens: num, charAccuracy: num.optional() }),
  z.looseObject({ type: z.literal('checkpoint'), step: count, path: z.string() }),
  z.looseObject({ type: z.literal('finished'), step: count, adapterPath: z.string(), finalLoss: num.nullable(), valLoss: num.nullable(), seconds: num }),
  z.looseObject({ type: z.literal('failed'), step: count, error: WireErrorSchema }),
]);

const SampleSchema = z.looseObject({
  target: z.string(), promptId: count, prompt: z.string(), output: z.string(), tokens: count, tokensPerSecond: num,
  stopReason: z.enum(['eos', 'stop_string', 'max_new_tokens']), promptTokens: count, base: z.string(),
});

const BackendsReportSchema = z.looseObject({
  auto: z.string(),
  probes: z.array(z.looseObject({ name: z.string(), available: z.boolean(), device: z.string().optional(), isGpu: z.boolean().optional(), reason: z.string().optional() })),
});

export const WorkerToHostSchema: z.ZodType<WorkerToHost> = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('event'), event: TrainEventSchema }),
  z.looseObject({ kind: z.literal('resources'), rssBytes: num, peakRssBytes: num, tensorBytes: num }),
  z.looseObject({ kind: z.literal('probe-result'), stepSeconds: z.array(num), backend: z.string(), device: z.string() }),
  z.looseObject({ kind: z.literal('probe-failed'), error: WireErrorSchema }),
  z.looseObject({
    kind: z.literal('data-stats'),
    stats: z.looseObject({ trainExamples: count, validationExamples: count, batchesPerEpoch: count, maxSteps: count, truncated: count, dropped: count }),
  }),
  z.looseObject({ kind: z.literal('backends'), report: BackendsReportSchema }),
  z.looseObject({ kind: z.literal('job-failed'), error: WireErrorSchema }),
  z.looseObject({ kind: z.literal('versions'), versions: z.record(z.string(), z.string()) }),
  z.looseObject({ kind: z.literal('gen-token'), target: z.string(), promptId: count, delta: z.string() }),
  z.looseObject({ kind: z.literal('gen-sample'), sample: SampleSchema }),
  z.looseObject({ kind: z.literal('gen-done') }),
]);

/** The message as a WorkerToHost, or null with the first problem ("event.step: expected number…"). */
export function parseWorkerMessage(value: unknown): { message: WorkerToHost; problem: null } | { message: null; problem: string } {
  const r = WorkerToHostSchema.safeParse(value);
  return r.success ? { message: r.data, problem: null } : { message: null, problem: firstProblem(r.error) };
}

/** "path.to.field: what is wrong" for the first issue of a failed parse, at most 300 characters. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.map(String).join('.') || '(message)'}: ${issue?.message ?? 'invalid'}`.slice(0, 300);
}
