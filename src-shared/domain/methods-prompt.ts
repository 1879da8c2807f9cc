// Prompt-learning methods and full fine-tuning as a person configures them (peft-spec §5; PEFT's
// PromptTuningConfig / PrefixTuningConfig, camelCase). The model side fills token_dim, num_layers and heads.
import { z } from 'zod';

export const PromptTuningConfigSchema = z
  .strictObject({
    method: z.literal('prompt'),
    numVirtualTokens: z.number().int().positive().max(4096).default(20),
    /** "random": N(0, 1) (PEFT RANDOM); "text": the embeddings of initText's tokens, repeated/truncated; "sample-vocab": rows of random tokens. */
    init: z.enum(['random', 'text', 'sample-vocab']).default('random'),
    initText: z.string().min(1).optional(),
  })
  .refine((c) => c.init !== 'text' || c.initText !== undefined, { message: 'init "text" needs initText', path: ['initText'] });
export type PromptTuningConfig = z.output<typeof PromptTuningConfigSchema>;

export const PrefixTuningConfigSchema = z.strictObject({
  method: z.literal('prefix'),
  numVirtualTokens: z.number().int().positive().max(4096).default(20),
  /** Train the prefix through PEFT's reparametrisation MLP (Linear → tanh → Linear) instead of the table itself. */
  prefixProjection: z.boolean().default(false),
  /** Hidden width of that MLP; default the token dimension. */
  encoderHiddenSize: z.number().int().positive().optional(),
});
export type PrefixTuningConfig = z.output<typeof PrefixTuningConfigSchema>;

export const FullFineTuneConfigSchema = z.strictObject({ method: z.literal('full') });
export type FullFineTuneConfig = z.output<typeof FullFineTuneConfigSchema>;
