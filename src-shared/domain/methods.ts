// Configurations of the fine-tuning methods as a person writes them (run spec `method` field, grid cells, CLI
// flags). Field names are camelCase versions of PEFT's; defaults are PEFT's (peft-spec §1.1). Each method's
// engine side reads its own schema from here, so the renderer validates exactly what the engine accepts.
import { z } from 'zod';

const targetModules = z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]);

export const LoraConfigSchema = z.strictObject({
  method: z.literal('lora'),
  r: z.number().int().positive().default(8),
  loraAlpha: z.number().positive().default(8),
  loraDropout: z.number().min(0).lt(1).default(0),
  useRslora: z.boolean().default(false),
  /** Module names (suffix match), a full-name regex, or "all-linear". Default: the architecture's (q_proj, v_proj). */
  targetModules: targetModules.optional(),
  excludeModules: targetModules.optional(),
  /** true: Kaiming-uniform A, zero B (a no-op at step 0); "gaussian": A ~ N(0, 1/r); false: random A and B. */
  initLoraWeights: z.union([z.boolean(), z.literal('gaussian')]).default(true),
  rankPattern: z.record(z.string(), z.number().int().positive()).default({}),
  alphaPattern: z.record(z.string(), z.number().positive()).default({}),
  layersToTransform: z.array(z.number().int().min(0)).optional(),
});
export type LoraConfigInput = z.input<typeof LoraConfigSchema>;
export type LoraConfig = z.output<typeof LoraConfigSchema>;

export const MethodConfigSchema = z.discriminatedUnion('method', [LoraConfigSchema]);
export type MethodConfigInput = z.input<typeof MethodConfigSchema>;
export type MethodConfig = z.output<typeof MethodConfigSchema>;
