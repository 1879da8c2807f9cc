// The one message a run worker receives from the host (worker.ts HostToWorker) as a zod schema: the worker checks it
// before starting, so a malformed job (a bug, or a host and worker from different builds) ends the worker with a
// clear protocol error naming the field, which the host's verdict quotes, instead of a TypeError deep in the engine.
// Strict objects: the host sends exactly these fields.
import { z } from 'zod';
import { BaseSpecSchema } from '../domain/base-spec';
import { TemplateSpecSchema } from '../domain/data';
import { ReviewSettingsSchema } from '../domain/review';
import { BACKEND_CHOICES, RunSpecSchema } from '../domain/run-spec';
import type { HostToWorker } from './worker';
import { firstProblem } from './worker-schema';

const count = z.number().int().nonnegative();
const folder = z.string().min(1);

const DecodingSchema = ReviewSettingsSchema.pick({ greedy: true, temperature: true, topP: true, topK: true, maxNewTokens: true, stopStrings: true, seed: true });

const GenerateJobSchema = z.strictObject({
  model: folder,
  base: BaseSpecSchema.optional(),
  backend: z.enum(BACKEND_CHOICES),
  template: TemplateSpecSchema,
  decoding: DecodingSchema,
  prompts: z.array(z.strictObject({ id: count, fields: z.record(z.string(), z.string()) })),
  targets: z.array(z.strictObject({
    key: z.string().min(1), runId: count.nullable(), step: count.nullable(), kind: z.enum(['final', 'checkpoint']),
    adapterDir: folder.nullable(), promptIds: z.array(count),
  })),
});

export const HostToWorkerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('train'), spec: RunSpecSchema, specDir: folder, resume: z.boolean(), resumeAtMost: count.optional() }),
  z.strictObject({ kind: z.literal('probe'), spec: RunSpecSchema, specDir: folder, steps: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('data-stats'), spec: RunSpecSchema, specDir: folder }),
  z.strictObject({ kind: z.literal('backends') }),
  z.strictObject({ kind: z.literal('generate'), job: GenerateJobSchema }),
]);

/** The job as a HostToWorker, or null with the first problem ("spec.training.lr: expected number…"). */
export function parseHostMessage(value: unknown): { message: HostToWorker; problem: null } | { message: null; problem: string } {
  const r = HostToWorkerSchema.safeParse(value);
  if (r.success) {
    const message: HostToWorker = r.data;
    return { message, problem: null };
  }
  return { message: null, problem: firstProblem(r.error) };
}
