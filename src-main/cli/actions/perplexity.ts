// `peft-lab perplexity`: mean loss per target token and perplexity of a model (optionally with an adapter) on a
// dataset file, rendered with a template exactly as training would see it (no split: the whole file).
import { DatasetSpecSchema, SequenceSpecSchema, TemplateSpecSchema } from '../../../src-shared/domain/data';
import type { BackendChoice } from '../../../src-shared/domain/run-spec';
import { parseWith } from '../../../src-shared/domain/validate';
import { loadAdapter } from '../../engine/adapters/io';
import { useBackend } from '../../engine/backends/index';
import { loadModel } from '../../engine/model/load';
import { measureBaseWeights } from '../../engine/quant/measure';
import type { BaseCliOptions } from '../base-options';
import { baseSpecFromCli } from '../base-options';
import { TextTokenizer } from '../../engine/model/tokenizer';
import { padIdFor } from '../../engine/train/batching';
import { loadRecords } from '../../engine/train/dataset';
import { evaluateLoss } from '../../engine/train/evaluate';
import { renderExample, templateFields } from '../../engine/train/templates';
import { tokenizeExamples } from '../../engine/train/tokenize';
import { printJson, printLines } from '../output';

export interface PerplexityOptions extends BaseCliOptions {
  model: string;
  adapter?: string;
  dataset: string;
  template: string;
  prompt?: string;
  response?: string;
  maxLength: number;
  batchSize: number;
  lossOn: string;
  backend: BackendChoice;
  json?: boolean;
}


export async function perplexity(o: PerplexityOptions): Promise<void> {
  const template = parseWith(TemplateSpecSchema, o.template === 'custom' ? { kind: 'custom', prompt: o.prompt, response: o.response } : { kind: o.template }, '--template', 'BAD_ARGUMENT');
  const sequence = parseWith(SequenceSpecSchema, { maxLength: o.maxLength, lossOn: o.lossOn }, 'options', 'BAD_ARGUMENT');
  const dataset = parseWith(DatasetSpecSchema, { path: o.dataset, validationSplit: 0 }, '--dataset', 'BAD_ARGUMENT');
  const backend = await useBackend(o.backend);
  const tok = await TextTokenizer.fromDir(o.model);
  const records = await loadRecords(dataset, process.cwd(), templateFields(template, true));
  const { examples, stats } = tokenizeExamples(tok, records.map((r) => renderExample(template, r, tok)), sequence);
  const model = await loadModel(o.model, { base: baseSpecFromCli(o) });
  try {
    const base = measureBaseWeights(model);
    if (o.adapter) await loadAdapter(o.adapter, model);
    const r = await evaluateLoss(model, examples, { batchSize: o.batchSize, maxLength: o.maxLength, packing: false, padId: padIdFor(tok), shuffle: false });
    const out = { loss: r.loss, perplexity: r.perplexity, tokens: r.tokens, examples: examples.length, truncated: stats.truncated, dropped: stats.droppedNoTarget, backend: backend.name,
      base: base.format, baseBitsPerWeight: base.bitsPerWeight };
    if (o.json) printJson(out);
    else printLines([`loss ${r.loss.toFixed(4)}  perplexity ${r.perplexity.toFixed(3)}  (${r.tokens} target tokens, ${examples.length} examples, ${stats.truncated} truncated; base ${base.format}, ${base.bitsPerWeight.toFixed(3)} bits per weight)`]);
  } finally {
    model.dispose();
  }
}
