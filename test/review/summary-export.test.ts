// The study summary and its exports from a store filled by hand: mean ratings, ROUGE-L against the references,
// perplexity from the validation loss, pairwise records, the per-axis view; CSV through `peft-lab export` (a real
// process) parses back to the same numbers; Markdown and JSON hold what they promise.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleMeta } from '../../src-shared/domain/review';
import { openStore } from '../../src-main/store/db';
import type { Store } from '../../src-main/store/db';
import { buildSummary } from '../../src-main/review/summary';
import { exportSweep } from '../../src-main/review/export';
import { cell, MODEL, newRun, SPEC, tempDir } from '../store/fixtures';

const BIN = path.resolve(__dirname, '../../bin/peft-lab.js');
const dataDir = tempDir();
let store: Store;
let sweepId: number;
afterAll(() => { store?.close(); fs.rmSync(dataDir, { recursive: true, force: true }); });

const META: SampleMeta = { greedy: true, temperature: 0.7, topP: 1, topK: 0, maxNewTokens: 16, stopStrings: [], seed: 0, kind: 'final', stopReason: 'eos', promptTokens: 5, base: '32-bit float32' };

/** RFC 4180 rows, read by an independent parser (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text) as string[][];

beforeAll(() => {
  store = openStore(path.join(dataDir, 'peft-lab.db'));
  const model = store.models.insert(MODEL);
  const spec = { ...SPEC, axes: { ...SPEC.axes, r: [8, 16], targets: [{ preset: 'attention-qv' as const }] } };
  const sweep = store.sweeps.insert({ name: 'rank, study', spec, status: 'finished' });
  sweepId = sweep.id;
  const [r8, r16] = store.runs.insertMany(sweep.id, [cell(8, 'attention-qv'), cell(16, 'attention-qv')].map((c) => newRun(c, model.id, null)));
  store.runs.update(r8.id, { status: 'finished', valLoss: Math.log(4), lastLoss: 1.25, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:01:40.000Z' });
  store.runs.update(r16.id, { status: 'finished', valLoss: Math.log(2), lastLoss: 0.5 });
  store.runEvents.add(r16.id, 'finished', { seconds: 42.5 });
  const [p1, p2] = store.reviewPrompts.add(sweep.id, [
    { text: 'Count to three.', fields: { instruction: 'Count to three.' }, reference: '1 2 3', source: 'validation' },
    { text: 'Say "hi", please', fields: { instruction: 'Say "hi", please' }, reference: null, source: 'typed' },
  ]);
  const add = (runId: number | null, promptId: number, output: string) => store.samples.insert({ sweepId, runId, promptId, prompt: '…', output, step: runId ? 20 : null, meta: META, tokensPerSecond: 10, length: 3 });
  const b1 = add(null, p1.id, '3 2 1');
  const a1 = add(r8.id, p1.id, '1 2 3');
  const c1 = add(r16.id, p1.id, '1 2');
  const a2 = add(r8.id, p2.id, 'hi, "friend"\nbye');
  add(r16.id, p2.id, 'hello');
  store.ratings.set(b1.id, { score: 1, flags: ['incoherent'], note: null });
  store.ratings.set(a1.id, { score: 4, flags: [], note: null });
  store.ratings.set(a2.id, { score: 5, flags: [], note: 'best' });
  store.ratings.set(c1.id, { score: 2, flags: ['truncated'], note: null });
  const judge = (l: number, r: number, verdict: 'left' | 'right' | 'tie' | 'skip', repeatOf: number | null = null) =>
    store.judgements.add({ sweepId, promptId: p1.id, leftSampleId: l, rightSampleId: r, verdict, rater: 'ann', repeatOf });
  const first = judge(a1.id, c1.id, 'left'); // r8 beats r16
  judge(b1.id, a1.id, 'right'); // r8 beats base
  judge(c1.id, b1.id, 'tie');
  judge(c1.id, a1.id, 'right', first.id); // the first pair again, swapped: r8 again (consistent)
  judge(b1.id, c1.id, 'skip');
});

describe('study summary', () => {
  it('rows hold the configuration, losses, perplexity, ratings, automatic scores and pairwise records', () => {
    const s = buildSummary(store, sweepId);
    expect(s.rows.map((r) => r.label)).toEqual(['base model', 'LoRA r=8 attention-qv', 'LoRA r=16 attention-qv']);
    const [base, r8, r16] = s.rows;
    expect(base).toMatchObject({ meanRating: 1, ratings: 1, trainableParams: 0, exampleOutput: '3 2 1', rougeL: 1 / 3 });
    // "3 2 1" vs "1 2 3": LCS 1 token ("2" — or any single one), P = R = 1/3.
    expect(r8).toMatchObject({ method: 'lora', r: 8, targets: 'attention q,v', bits: 32, meanRating: 4.5, ratings: 2, rougeL: 1, trainSeconds: 100, finalTrainLoss: 1.25 });
    expect(r8.perplexity).toBeCloseTo(4, 12);
    // "1 2" vs "1 2 3": P = 1, R = 2/3, F = 0.8; r16's finished event says 42.5 s.
    expect(r16).toMatchObject({ meanRating: 2, rougeL: 0.8, trainSeconds: 42.5 });
    expect(r16.perplexity).toBeCloseTo(2, 12);
    expect(r8.pairwise).toMatchObject({ wins: 3, losses: 0, ties: 0 });
    expect(r16.pairwise).toMatchObject({ wins: 0, losses: 2, ties: 1 });
    expect(base.pairwise).toMatchObject({ wins: 0, losses: 1, ties: 1 });
    expect(r8.pairwise!.theta!).toBeGreaterThan(base.pairwise!.theta!);
    // Left wins among decided: (a1 left) and the two rights → 1 of 3; the one repeat agrees.
    expect(s.positionBias).toMatchObject({ decided: 3, leftWins: 1, repeats: 1, consistent: 1, consistency: 1 });
    const rating = s.effects.find((e) => e.axis === 'r' && e.score === 'mean rating')!;
    expect(rating.values.map((v) => [v.value, v.mean])).toEqual([['r=8', 4.5], ['r=16', 2]]);
    expect(rating.range).toBe(2.5);
    expect(s.effects.map((e) => e.axis)).not.toContain('loraAlpha');
    expect(s.axisPairwise).toHaveLength(1);
    expect(s.axisPairwise[0].scores.map((p) => [p.key, p.wins, p.losses])).toEqual([['r=8', 2, 0], ['r=16', 0, 2]]);
  });
});

describe('exports', () => {
  it('CSV from `peft-lab export` parses back to the summary', () => {
    const out = path.join(dataDir, 'summary.csv');
    const r = spawnSync(process.execPath, [BIN, 'export', '--sweep', String(sweepId), '--format', 'csv', '--data', dataDir, '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toContain('wrote');
    expect(r.status).toBe(0);
    const rows = parseCsv(fs.readFileSync(out, 'utf8'));
    const head = rows[0];
    expect(rows).toHaveLength(4);
    const col = (name: string) => rows.slice(1).map((row) => row[head.indexOf(name)]);
    expect(col('run')).toEqual(['base model', 'LoRA r=8 attention-qv', 'LoRA r=16 attention-qv']);
    expect(col('mean_rating')).toEqual(['1', '4.5', '2']);
    expect(col('perplexity')).toEqual(['', '4', '2']);
    expect(col('example_output')).toEqual(['3 2 1', '1 2 3', '1 2']);
    const bad = spawnSync(process.execPath, [BIN, 'export', '--sweep', String(sweepId), '--format', 'xml', '--data', dataDir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--format must be csv, md or json');
  });

  it('quotes fields with commas, quotes and newlines; Markdown escapes pipes; JSON holds everything', () => {
    store.samples.insert({ sweepId, runId: null, promptId: store.reviewPrompts.list(sweepId)[0].id, prompt: '…', output: 'a | b, "c"\nd', step: null, meta: META, tokensPerSecond: 1, length: 1 });
    const csv = exportSweep(store, sweepId, 'csv');
    expect(csv.filename).toBe(`rank-study-${sweepId}-summary.csv`);
    expect(parseCsv(csv.content)[1].at(-1)).toBe('a | b, "c"\nd');
    const md = exportSweep(store, sweepId, 'md').content;
    expect(md).toContain('a \\| b, "c" d');
    expect(md).toContain('## Methods');
    const json = JSON.parse(exportSweep(store, sweepId, 'json').content);
    expect(json).toMatchObject({ format: 'peft-lab-sweep-export', version: 1 });
    expect(json.samples).toHaveLength(6);
    expect(json.ratings).toHaveLength(4);
    expect(json.judgements).toHaveLength(5);
    expect(json.runs.map((r: { label: string }) => r.label)).toEqual(['LoRA r=8 attention-qv', 'LoRA r=16 attention-qv']);
  });
});
