// Configurations of the fine-tuning methods as a person writes them (run spec `method` field, grid cells, CLI
// flags). Field names are camelCase versions of PEFT's; defaults are PEFT's (peft-spec §1.1). Each method's
// engine side reads its own schema from here, so the renderer validates exactly what the engine accepts.
import { z } from 'zod';
import { FullFineTuneConfigSchema, PrefixTuningConfigSchema, PromptTuningConfigSchema } from './methods-prompt';

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

/** MoRA's compression/decompression types (the MoRA fork's `mora_type`; 5 is undefined there and not offered). */
export const MORA_TYPES = [1, 2, 3, 4, 6] as const;
export type MoraType = (typeof MORA_TYPES)[number];

/** ReMoRA's type cycles (the MoRA repo's `remora_types`): 4 → 1→2→3→4→1, 2 → 1→2→1. */
export const REMORA_CYCLES = { 4: [1, 2, 3, 4], 2: [1, 2] } as const satisfies Record<number, readonly MoraType[]>;

/**
 * MoRA (the MoRA fork of PEFT: a LoraConfig with use_mora and mora_type; peft-spec §3). Defaults are the fork's.
 * `r` is the LoRA rank whose parameter budget the square matrix matches (r̂ = ⌊√((in+out)·r) + 0.5⌋).
 */
export const MoraConfigSchema = z.strictObject({
  method: z.literal('mora'),
  r: z.number().int().positive().default(8),
  /** 1 ("sharing", for large r) or 6 ("RoPE", for small r) as the MoRA README recommends; 2, 3, 4 also exist. */
  moraType: z.union(MORA_TYPES.map((t) => z.literal(t))).default(1),
  /** Saved in adapter_config.json as the fork does; MoRA applies no scaling, so it changes nothing. */
  loraAlpha: z.number().positive().default(8),
  loraDropout: z.number().min(0).lt(1).default(0),
  /** As LoRA's: names (suffix match), a full-name regex, or "all-linear". Default: the architecture's (q_proj, v_proj). */
  targetModules: targetModules.optional(),
  excludeModules: targetModules.optional(),
  rankPattern: z.record(z.string(), z.number().int().positive()).default({}),
  layersToTransform: z.array(z.number().int().min(0)).optional(),
  /**
   * ReMoRA (MoRA repo train.py): every `every` updates merge ΔW into the base weights for good, reset M to zero,
   * move to the next type of the cycle and clear the optimizer state. Defaults as the repo's (50 steps, 4 types).
   */
  remora: z.strictObject({
    every: z.number().int().positive().default(50),
    types: z.union([z.literal(4), z.literal(2)]).default(4),
  }).optional(),
}).refine((c) => !c.remora || (REMORA_CYCLES[c.remora.types] as readonly number[]).includes(c.moraType), {
  message: 'remora cycles through types 1→2→3→4 (types: 4) or 1→2 (types: 2); moraType must be one of them',
  path: ['moraType'],
});
export type MoraConfigInput = z.input<typeof MoraConfigSchema>;
export type MoraConfig = z.output<typeof MoraConfigSchema>;

const isList = (t: unknown): t is string[] => Array.isArray(t);

/** (IA)³ (PEFT `IA3Config`, peft-spec §4). Defaults are PEFT's: targets and feed-forward modules per architecture. */
export const Ia3ConfigSchema = z.strictObject({
  method: z.literal('ia3'),
  /** As LoRA's target rule; default: the architecture's (llama: k_proj, v_proj, down_proj). */
  targetModules: targetModules.optional(),
  /**
   * Targets whose input (not output) is scaled; list entries match by plain suffix (`endswith`), a string as a
   * full-name regex, [] means none. Default: the architecture's (llama: down_proj).
   */
  feedforwardModules: z.union([z.array(z.string().min(1)), z.string().min(1)]).optional(),
  excludeModules: targetModules.optional(),
  /** true: the vectors start at ones (a no-op); false: N(0, 1) (debugging, as PEFT). */
  initIa3Weights: z.boolean().default(true),
}).refine((c) => !(isList(c.feedforwardModules) && isList(c.targetModules)) || c.feedforwardModules.every((f) => (c.targetModules as string[]).includes(f)), {
  message: 'feedforwardModules should be a subset of targetModules (PEFT requires it)',
  path: ['feedforwardModules'],
});
export type Ia3ConfigInput = z.input<typeof Ia3ConfigSchema>;
export type Ia3Config = z.output<typeof Ia3ConfigSchema>;

export const MethodConfigSchema = z.discriminatedUnion('method', [
  LoraConfigSchema, MoraConfigSchema, Ia3ConfigSchema, PromptTuningConfigSchema, PrefixTuningConfigSchema, FullFineTuneConfigSchema,
]);
export type MethodConfigInput = z.input<typeof MethodConfigSchema>;
export type MethodConfig = z.output<typeof MethodConfigSchema>;
