// `peft-lab plan`: trainable parameters, all parameters and a memory estimate for a method on a model folder
// (a config.json alone is enough).
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
  alpha?: number;
  dropout: number;
  rslora?: boolean;
  targets?: string[];
  batchSize: number;
  seqLen: number;
  json?: boolean;
}


export async function plan(o: PlanOptions): Promise<void> {
  const info = await readModelInfo(o.model);
  const method = adapterMethod(o.method);
  const cfg = method.parseConfig({
    r: o.r, loraAlpha: o.alpha ?? 8, loraDropout: o.dropout, useRslora: o.rslora ?? false, targetModules: targetSpec(o.targets),
  }, 'plan');
  const report = planParameters(info, method, cfg);
  const memory = estimateTrainingMemory(info, { trainableParams: report.trainable, baseParams: report.base, batchSize: o.batchSize, seqLen: o.seqLen });
  if (o.json) {
    printJson({
      model: o.model, modelType: info.config.modelType, method: o.method, config: cfg,
      trainableParams: report.trainable, allParams: report.all, baseParams: report.base,
      trainablePercent: report.trainablePercent, line: report.line, modules: report.modules.length,
      memory: { ...memory, batchSize: o.batchSize, seqLen: o.seqLen },
    });
    return;
  }
  printLines([
    report.line,
    `adapted modules: ${report.modules.length} (${[...new Set(report.modules.map((m) => m.split('.').pop()))].join(', ')})`,
    `memory estimate for training (batch ${o.batchSize} × ${o.seqLen} tokens, float32 base):`,
    `  base weights  ${formatBytes(memory.baseWeightBytes)}`,
    `  adapter       ${formatBytes(memory.adapterBytes)} + gradients ${formatBytes(memory.gradientBytes)} + AdamW ${formatBytes(memory.optimizerBytes)}`,
    `  activations   ${formatBytes(memory.activationBytes)} (estimate)`,
    `  runtime       ${formatBytes(memory.runtimeBytes)} (Node + TensorFlow.js, measured)`,
    `  total         ${formatBytes(memory.totalBytes)}`,
  ]);
}
