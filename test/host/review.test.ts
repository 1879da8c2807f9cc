// Review end to end in one host: prompts (typed, from the validation split, imported), generation after training
// in worker processes (one sample per (run | base) × prompt, decoding recorded, streamed while written, equal to
// what `generate` gives for the same adapter), checkpoints on demand, ratings and blind judgements that persist
// across a restart, the summary and the exports.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../src-shared/domain/review';
import type { TokenChunk } from '../../src-shared/protocol/api';
import { useBackend } from '../../src-main/engine/backends/index';
import { GREEDY, generate } from '../../src-main/engine/generate/generate';
import { encodePrompt } from '../../src-main/engine/generate/prompt';
import { loadAdapter } from '../../src-main/engine/adapters/io';
import { loadModel } from '../../src-main/engine/model/load';
import { TextTokenizer } from '../../src-main/engine/model/tokenizer';
import { startHost, tinySweep, writeTinyStudy } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-review-'));
const dataDir = path.join(root, 'data');
let study: Awaited<ReturnType<typeof writeTinyStudy>>;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  study = await writeTinyStudy(root);
});

/** What the engine generates in this process for one prompt, with or without an adapter (greedy, 8 tokens). */
async function reference(prompt: string, adapterDir: string | null): Promise<string> {
  const tok = await TextTokenizer.fromDir(study.modelDir);
  const model = await loadModel(study.modelDir);
  try {
    if (adapterDir) await loadAdapter(adapterDir, model);
    const eos = [...new Set([...model.config.eosTokenIds, ...(tok.eosId !== null ? [tok.eosId] : [])])];
    const r = await generate(model, encodePrompt(tok, prompt), { ...GREEDY, maxNewTokens: 8, eosTokenIds: eos }, { tokenizer: tok });
    return r.text ?? '';
  } finally {
    model.dispose();
  }
}

describe('review in the host', () => {
  it('generates for every run and the base model, rates, judges blind, summarises and exports', async () => {
    const { client, host, close } = await startHost(dataDir);
    const spec = tinySweep(study, { name: 'review', training: { maxSteps: 10, batchSize: 4, learningRate: 0.01, checkpointEvery: 5, evalEvery: 5 }, axes: { r: [2, 4], targets: [{ preset: 'attention-qv' }] } });
    const sweep = await client.request('sweeps/create', { spec, launch: false });
    await client.request('review/settings/set', { sweepId: sweep.id, settings: { maxNewTokens: 8 } as never });
    const candidates = await client.request('review/prompts/candidates', { sweepId: sweep.id, limit: 5 });
    expect(candidates.length).toBeGreaterThan(0); // 12 records, validation split 0.2
    expect(candidates[0].reference).toMatch(/^(\d+) \1 \1$/);
    await client.request('review/prompts/add', { sweepId: sweep.id, prompts: [
      { text: 'Say the number 7.' },
      { text: candidates[0].text, fields: candidates[0].fields, reference: candidates[0].reference, source: 'validation' },
    ] });
    const imported = await client.request('review/prompts/import', { sweepId: sweep.id, format: 'csv', content: 'prompt,reference\n"Say the number 3.","3 3 3"\n' });
    expect(imported).toMatchObject([{ text: 'Say the number 3.', fields: { instruction: 'Say the number 3.' }, reference: '3 3 3', source: 'import' }]);
    const prompts = await client.request('review/prompts/list', { sweepId: sweep.id });
    expect(prompts.map((p) => [p.position, p.source])).toEqual([[0, 'typed'], [1, 'validation'], [2, 'import']]);
    expect(prompts[0]).toMatchObject({ fields: { instruction: 'Say the number 7.' }, reference: null });

    const chunks: TokenChunk[] = [];
    const live: SampleRecord[] = [];
    client.on('review/tokens', (e) => chunks.push(...e.chunks));
    client.on('review/sample', (s) => live.push(s));
    await client.request('sweeps/launch', { id: sweep.id });
    await host.services.scheduler.waitIdle();
    await host.services.generation.waitIdle();

    const matrix = await client.request('review/matrix', { sweepId: sweep.id });
    const runs = matrix.columns.filter((c) => c.runId !== null);
    expect(runs.map((c) => c.status)).toEqual(['finished', 'finished']);
    expect(matrix.generation.state).toBe('idle');
    // One final sample per (base + 2 runs) × 3 prompts, each with the decoding it was made with.
    const finals = matrix.samples.filter((s) => s.meta.kind === 'final');
    expect(finals).toHaveLength(9);
    expect(new Set(finals.map((s) => `${s.runId}|${s.promptId}`)).size).toBe(9);
    for (const s of finals) {
      expect(s.meta).toMatchObject({ greedy: true, maxNewTokens: 8, stopStrings: [], seed: 0, kind: 'final', base: '32-bit float32' });
      expect(s.length).toBeGreaterThan(0);
      expect(s.length).toBeLessThanOrEqual(8);
      expect(s.tokensPerSecond).toBeGreaterThan(0);
      expect(s.step).toBe(s.runId === null ? null : 10);
      expect(s.prompt).toBe(`${prompts.find((p) => p.id === s.promptId)!.fields.instruction}\n`); // the custom template applied
    }
    expect(live).toHaveLength(9);
    expect(chunks.length).toBeGreaterThan(0); // text arrived before the samples
    for (const s of finals.filter((x) => x.promptId === prompts[2].id)) {
      expect(s.rougeL).not.toBeNull();
      expect(s.bleu).not.toBeNull();
    }
    expect(runs[0].perplexity).toBeCloseTo(Math.exp(runs[0].valLoss!), 10);

    // Greedy outputs equal the engine's own for the same adapter (and for the base model).
    await useBackend('wasm');
    const run1 = await client.request('runs/get', { id: runs[0].runId! });
    for (const [runId, dir] of [[null, null], [run1.id, run1.outputDir]] as const) {
      const s = finals.find((x) => x.runId === runId && x.promptId === prompts[0].id)!;
      expect(s.output).toBe(await reference('Say the number 7.\n', dir));
    }

    // On demand with checkpoints: only what is missing is generated (the step-5 checkpoint of each run).
    await client.request('review/settings/set', { sweepId: sweep.id, settings: { maxNewTokens: 8, atCheckpoints: true } as never });
    const st = await client.request('review/generate', { sweepId: sweep.id });
    expect(['queued', 'running']).toContain(st.state);
    await host.services.generation.waitIdle();
    const again = await client.request('review/matrix', { sweepId: sweep.id });
    const ckpt = again.samples.filter((s) => s.meta.kind === 'checkpoint');
    expect(ckpt.map((s) => `${s.runId}@${s.step}`).sort()).toEqual([...runs.flatMap((c) => [`${c.runId}@5`, `${c.runId}@5`, `${c.runId}@5`])].sort());
    expect(again.samples.filter((s) => s.meta.kind === 'final')).toHaveLength(9);

    // Ratings and blind pairs.
    const base0 = finals.find((s) => s.runId === null && s.promptId === prompts[0].id)!;
    await client.request('review/rate', { sampleId: base0.id, score: 2, flags: ['repetition', 'repetition'], note: 'loops' });
    const run0 = finals.find((s) => s.runId === runs[0].runId && s.promptId === prompts[0].id)!;
    await client.request('review/rate', { sampleId: run0.id, score: 5, flags: [], note: null });
    const verdicts = ['left', 'right', 'tie', 'left', 'skip'] as const;
    for (const verdict of verdicts) {
      const pair = (await client.request('review/pairs/next', { sweepId: sweep.id, rater: 'ann' }))!;
      expect(pair.pairs).toBe(9); // 3 authors → 3 pairs per prompt × 3 prompts
      expect(JSON.stringify(pair)).not.toMatch(/runId|run-\d/); // blind
      await client.request('review/pairs/judge', { sweepId: sweep.id, promptId: pair.promptId, leftSampleId: pair.left.sampleId, rightSampleId: pair.right.sampleId, verdict, rater: 'ann', repeatOf: pair.repeatOf });
    }
    await expect(client.request('review/pairs/judge', { sweepId: sweep.id, promptId: prompts[0].id, leftSampleId: base0.id, rightSampleId: base0.id, verdict: 'left', rater: 'ann' })).rejects.toThrow();
    await close();

    // Everything is still there after a restart; summary and exports reflect it.
    const h2 = await startHost(dataDir);
    const m2 = await h2.client.request('review/matrix', { sweepId: sweep.id });
    expect(m2.ratings.find((r) => r.sampleId === base0.id)).toMatchObject({ score: 2, flags: ['repetition'], note: 'loops' });
    const summary = await h2.client.request('review/summary', { sweepId: sweep.id });
    expect(summary.judgements).toBe(5);
    expect(summary.raters).toEqual(['ann']);
    expect(summary.rows.map((r) => r.label)).toEqual(['base model', ...runs.map((c) => c.label)]);
    expect(summary.rows[0]).toMatchObject({ meanRating: 2, ratings: 1, method: 'base model' });
    expect(summary.rows[1]).toMatchObject({ meanRating: 5, method: 'lora', r: 2, targets: 'attention q,v', bits: 32, trainableParams: 448 });
    expect(summary.rows[1].trainSeconds).toBeGreaterThan(0);
    expect(summary.rows[1].perplexity).toBeCloseTo(Math.exp(summary.rows[1].valLoss!), 10);
    const decided = summary.rows.reduce((n, r) => n + (r.pairwise?.wins ?? 0), 0);
    expect(decided).toBe(3); // left, right, left
    expect(summary.positionBias).toMatchObject({ decided: 3, leftWins: 2 });
    expect(summary.effects.map((e) => e.axis)).toContain('r');
    expect(summary.axisPairwise.map((a) => a.axis)).toEqual(['r']);

    const csv = await h2.client.request('review/export', { sweepId: sweep.id, format: 'csv' });
    expect(csv.filename).toBe(`review-${sweep.id}-summary.csv`);
    const lines = csv.content.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 5)).toEqual(['run', 'method', 'r', 'targets', 'bits']);
    expect(lines).toHaveLength(4);
    const md = await h2.client.request('review/export', { sweepId: sweep.id, format: 'md' });
    expect(md.content).toContain('| base model | base model |');
    expect(md.content).toContain('## Which setting matters');
    const json = JSON.parse((await h2.client.request('review/export', { sweepId: sweep.id, format: 'json' })).content);
    expect(json.runs).toHaveLength(2);
    expect(json.runs[0].spec.method).toMatchObject({ method: 'lora', r: 2 });
    expect(json.runs[0].metrics.train_loss).toHaveLength(10);
    expect(json.samples).toHaveLength(15);
    expect(json.ratings).toHaveLength(2);
    expect(json.judgements).toHaveLength(5);
    expect(json.prompts).toHaveLength(3);
    await h2.close();
  });
});
