// `peft-lab generate`: text from a base model, optionally with an adapter; greedy or sampled; streams tokens to
// stdout, or prints one JSON object with --json.
import { PeftLabError } from '../../../src-shared/errors';
import { TemplateSpecSchema } from '../../../src-shared/domain/data';
import { parseWith } from '../../../src-shared/domain/validate';
import { loadAdapter } from '../../engine/adapters/io';
import { useBackend } from '../../engine/backends/index';
import { GREEDY, generate } from '../../engine/generate/generate';
import { encodePrompt } from '../../engine/generate/prompt';
import { loadModel } from '../../engine/model/load';
import type { BaseCliOptions } from '../base-options';
import { baseSpecFromCli } from '../base-options';
import { TextTokenizer } from '../../engine/model/tokenizer';
import { renderPrompt } from '../../engine/train/templates';
import type { BackendChoice } from '../../../src-shared/domain/run-spec';
import { printJson } from '../output';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GenerateCliOptions extends BaseCliOptions {
  model: string;
  adapter?: string;
  prompt?: string;
  promptIds?: number[];
  template?: string;
  maxNewTokens: number;
  greedy?: boolean;
  temperature?: number;
  topP: number;
  topK: number;
  seed: number;
  stop: string[];
  backend: BackendChoice;
  json?: boolean;
}


function checkOptions(o: GenerateCliOptions): void {
  if ((o.prompt === undefined) === (o.promptIds === undefined)) {
    throw new PeftLabError('BAD_ARGUMENT', 'give exactly one of --prompt <text> and --prompt-ids <ids>');
  }
  if (o.greedy && o.temperature !== undefined && o.temperature > 0) {
    throw new PeftLabError('BAD_ARGUMENT', '--greedy and --temperature contradict each other; drop one');
  }
  if (o.template && o.promptIds) throw new PeftLabError('BAD_ARGUMENT', '--template applies to --prompt text, not to --prompt-ids');
}

export async function run(o: GenerateCliOptions): Promise<void> {
  checkOptions(o);
  const backend = await useBackend(o.backend);
  const hasTokenizer = fs.existsSync(path.join(o.model, 'tokenizer.json'));
  if (o.prompt !== undefined && !hasTokenizer) {
    throw new PeftLabError('FILE_NOT_FOUND', `${o.model} has no tokenizer.json; use --prompt-ids instead of --prompt`);
  }
  const tok = hasTokenizer ? await TextTokenizer.fromDir(o.model) : null;
  const model = await loadModel(o.model, { base: baseSpecFromCli(o) });
  try {
    if (o.adapter) await loadAdapter(o.adapter, model);
    let ids = o.promptIds;
    if (ids) {
      const bad = ids.find((i) => i >= model.config.vocabSize);
      if (bad !== undefined) throw new PeftLabError('BAD_ARGUMENT', `--prompt-ids: id ${bad} is outside the vocabulary (size ${model.config.vocabSize})`);
    } else {
      const text = o.template ? renderPrompt(parseWith(TemplateSpecSchema, { kind: o.template }, '--template', 'BAD_ARGUMENT'), { instruction: o.prompt!, input: '' }) : o.prompt!;
      ids = encodePrompt(tok!, text);
    }
    const eos = [...new Set([...model.config.eosTokenIds, ...(tok?.eosId != null ? [tok.eosId] : [])])];
    const sampling = o.temperature !== undefined && o.temperature > 0 && !o.greedy
      ? { greedy: false, temperature: o.temperature, topP: o.topP, topK: o.topK }
      : { greedy: true, temperature: 1, topP: 1, topK: 0 };
    const result = await generate(model, ids, { ...GREEDY, ...sampling, maxNewTokens: o.maxNewTokens, seed: o.seed, stopStrings: o.stop, eosTokenIds: eos }, {
      tokenizer: tok,
      onToken: o.json ? undefined : (e) => process.stdout.write(e.delta ?? `${e.id} `),
    });
    if (o.json) printJson({ ...result, backend: backend.name, device: backend.device, adapter: o.adapter ?? null });
    else process.stdout.write('\n');
  } finally {
    model.dispose();
  }
}
