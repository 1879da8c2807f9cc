// Review generation in a worker process: loads the base once (with the runs' base storage), keeps every adapter
// of the job in an AdapterLibrary and switches between them, and answers each prompt with each target under the
// same decoding, streaming tokens and then the finished sample to the host. A folder holding a whole model (full
// fine-tuning) is not an adapter: the host sends it as its own job with that folder as the model.
import type { GenerateJob, GeneratedSample, WorkerToHost } from '../../src-shared/protocol/worker';
import { describeBase, resolveBaseOptions } from '../../src-shared/domain/base-spec';
import { PeftLabError } from '../../src-shared/errors';
import { AdapterLibrary } from '../engine/adapters/library';
import { useBackend } from '../engine/backends/index';
import { GREEDY, generate } from '../engine/generate/generate';
import { encodePrompt } from '../engine/generate/prompt';
import { loadModel } from '../engine/model/load';
import { TextTokenizer } from '../engine/model/tokenizer';
import { renderPrompt } from '../engine/train/templates';
import { nextTurn } from '../engine/event-loop';

export async function runGenerateJob(job: GenerateJob, send: (m: WorkerToHost) => void, signal: AbortSignal): Promise<void> {
  await useBackend(job.backend);
  const tok = await TextTokenizer.fromDir(job.model);
  const model = await loadModel(job.model, { base: job.base });
  const library = new AdapterLibrary(model);
  const base = describeBase(resolveBaseOptions(job.base));
  try {
    for (const t of job.targets) if (t.adapterDir) await library.load(t.key, t.adapterDir);
    const eos = [...new Set([...model.config.eosTokenIds, ...(tok.eosId !== null ? [tok.eosId] : [])])];
    const d = job.decoding;
    const opts = {
      ...GREEDY, greedy: d.greedy, temperature: d.greedy ? 1 : d.temperature, topP: d.greedy ? 1 : d.topP, topK: d.greedy ? 0 : d.topK,
      maxNewTokens: d.maxNewTokens, seed: d.seed, stopStrings: d.stopStrings, eosTokenIds: eos,
    };
    const prompts = job.prompts.map((p) => ({ id: p.id, text: renderPrompt(job.template, p.fields, tok) }));
    for (const t of job.targets) {
      library.activate(t.adapterDir ? t.key : null);
      for (const p of prompts.filter((q) => t.promptIds.includes(q.id))) {
        await nextTurn(); // lets a SIGTERM or disconnect abort between prompts (event-loop.ts)
        if (signal.aborted) throw new PeftLabError('CANCELLED', 'generation stopped');
        const r = await generate(model, encodePrompt(tok, p.text), opts, {
          tokenizer: tok,
          onToken: (e) => { if (e.delta) send({ kind: 'gen-token', target: t.key, promptId: p.id, delta: e.delta }); },
        });
        const sample: GeneratedSample = {
          target: t.key, promptId: p.id, prompt: p.text, output: r.text ?? '', tokens: r.ids.length, tokensPerSecond: r.tokensPerSecond,
          stopReason: r.stopReason, promptTokens: r.promptTokens, base,
        };
        send({ kind: 'gen-sample', sample });
      }
    }
    send({ kind: 'gen-done' });
  } finally {
    library.dispose();
    model.dispose();
  }
}
