// `peft-lab plan`: trainable parameters, all parameters and a memory estimate for a method on a model folder
// (a config.json alone is enough).
import type { MoraType } from '../../../src-shared/domain/methods';
import { PeftLabError } from '../../../src-shared/errors';
import { adapterMethod } from '../../engine/adapters/index';
import { readModelInfo } from '../../engine/model/load';
import { estimateTrainingMemory, formatBytes } from '../../engine/plan/memory';
import { planParameters } from '../../engine/plan/params';
import { targetSpec } from '../options';
import { printJson, printLines } from '../output';

export interface PlanOptions {
  model: string;
  method: string;
  r: number;
  moraType?: MoraType;
  virtualTokens?: number;
  prefixProjection?: boolean;
  alpha?: number;
  dropout: number;
  rslora?: boolean;
  targets?: string[];
  batchSize: number;
  seqLen: number;
  gradientCheckpointing?: boolean;
  json?: boolean;
}

/** The method config each method's flags make; flags a method does not use are refused by name. */
const METHOD_FLAGS: Record<string, { flags: (keyof PlanOptions)[]; config: (o: PlanOptions) => Record<string, unknown> }> = {
  lora: {
    flags: ['alpha', 'rslora'],
    config: (o) => ({ r: o.r, loraAlpha: o.alpha ?? 8, loraDropout: o.dropout, useRslora: o.rslora ?? false, targetModules: targetSpec(o.targets) }),
  },
  mora: {
    flags: ['moraType', 'alpha'],
    config: (o) => ({ r: o.r, moraType: o.moraType ?? 1, loraAlpha: o.alpha ?? 8, loraDropout: o.dropout, targetModules: targetSpec(o.targets) }),
  },
  ia3: { flags: [], config: (o) => ({ targetModules: targetSpec(o.targets) }) },
  prompt: { flags: ['virtualTokens'], config: (o) => ({ numVirtualTokens: o.virtualTokens ?? 20 }) },
  prefix: { flags: ['virtualTokens', 'prefixProjection'], config: (o) => ({ numVirtualTokens: o.virtualTokens ?? 20, prefixProjection: o.prefixProjection ?? false }) },
  full: { flags: [], config: () => ({}) },
};
const FLAG_NAMES: Partial<Record<keyof PlanOptions, string>> = {
  moraType: '--mora-type', alpha: '--alpha', rslora: '--rslora', virtualTokens: '--virtual-tokens', prefixProjection: '--prefix-projection',
};

function methodConfig(o: PlanOptions): Record<string, unknown> {
  const entry = METHOD_FLAGS[o.method];
  if (!entry) return {};
  for (const [key, flag] of Object.entries(FLAG_NAMES) as [keyof PlanOptions, string][]) {
    if (o[key] !== undefined && !entry.flags.includes(key)) {
      const users = Object.keys(METHOD_FLAGS).filter((m) => METHOD_FLAGS[m].flags.includes(key));
      throw new PeftLabError('BAD_ARGUMENT', `${flag} applies to --method ${users.join(' or ')}, not ${o.method}`);
    }
  }
  return entry.config(o);
}

export async function plan(o: PlanOptions): Promise<void> {
  const info = await readModelInfo(o.model);
  const method = adapterMethod(o.method);
  const cfg = method.parseConfig(methodConfig(o), 'plan');
  const report = planParameters(info, method, cfg);
  const memory = estimateTrainingMemory(info, {
    trainableParams: report.trainable, baseParams: report.base, batchSize: o.batchSize, seqLen: o.seqLen,
    gradientCheckpointing: o.gradientCheckpointing ?? false, method: method.activations?.(info, cfg),
  });
  if (o.json) {
    printJson({
      model: o.model, modelType: info.config.modelType, method: o.method, config: cfg,
      trainableParams: report.trainable, allParams: report.all, baseParams: report.base,
      trainablePercent: report.trainablePercent, line: report.line, modules: report.modules.length,
      memory: { ...memory, batchSize: o.batchSize, seqLen: o.seqLen, gradientCheckpointing: o.gradientCheckpointing ?? false },
    });
    return;
  }
  printLines([
    report.line,
    `adapted modules: ${report.modules.length} (${[...new Set(report.modules.map((m) => m.split('.').pop()))].join(', ')})`,
    `memory estimate for training (batch ${o.batchSize} × ${o.seqLen} tokens, float32 base${o.gradientCheckpointing ? ', gradient checkpointing' : ''}):`,
    `  base weights  ${formatBytes(memory.baseWeightBytes)}`,
    `  adapter       ${formatBytes(memory.adapterBytes)} + gradients ${formatBytes(memory.gradientBytes)} + AdamW ${formatBytes(memory.optimizerBytes)}`,
    `  activations   ${formatBytes(memory.activationBytes)} (estimate: what a step keeps for backprop, as tfjs counts it)`,
    `  runtime       ${formatBytes(memory.runtimeBytes)} (Node + TensorFlow.js, measured)`,
    `  total         ${formatBytes(memory.totalBytes)}`,
  ]);
}
