// The review screens' pure helpers: word diff (jsdiff), matrix column layouts, which sample a cell shows, the
// matrix keyboard, and summary sorting.
import { describe, expect, it } from 'vitest';
import type { MatrixColumn, MatrixSample, SummaryRow } from '../../src-shared/domain/review-views';
import type { SweepCell } from '../../src-shared/domain/sweep-spec';
import { layoutColumns, varyingAxes } from '../../src-renderer/lib/matrix-layout';
import { matrixAction, moveCursor } from '../../src-renderer/lib/matrix-keys';
import { cellKey, indexSamples } from '../../src-renderer/lib/review-samples';
import { sortRows } from '../../src-renderer/lib/summary-sort';
import { sameShare, wordDiff } from '../../src-renderer/lib/word-diff';

describe('word diff', () => {
  it('marks words only in the output as added and words only in the reference as removed', () => {
    const parts = wordDiff('the cat sat on the mat', 'the dog sat on the mat');
    expect(parts.filter((p) => p.kind !== 'same')).toEqual([{ kind: 'removed', text: 'cat' }, { kind: 'added', text: 'dog' }]);
    expect(parts.map((p) => (p.kind === 'removed' ? '' : p.text)).join('')).toBe('the dog sat on the mat');
    expect(sameShare(parts)).toBeCloseTo(5 / 6, 12);
    expect(wordDiff('same', 'same')).toEqual([{ kind: 'same', text: 'same' }]);
  });
});

const cell = (r: number, targets: 'attention-qv' | 'all-linear', bits: 32 | 4): SweepCell => ({
  key: `lora|r${r}|${targets}|b${bits}`, label: `r${r} ${targets} ${bits}`, method: 'lora', r, targets: { preset: targets }, bits, loraAlpha: 2 * r, learningRate: 2e-4, seed: 42,
});
const col = (id: number, c: SweepCell): MatrixColumn => ({ key: `run-${id}`, runId: id, label: c.label, cell: c, status: 'finished', valLoss: 1, perplexity: Math.E });
const BASE: MatrixColumn = { key: 'base', runId: null, label: 'base model', cell: null, status: null, valLoss: null, perplexity: null };
const COLUMNS = [BASE, col(1, cell(16, 'all-linear', 32)), col(2, cell(8, 'attention-qv', 32)), col(3, cell(8, 'all-linear', 4)), col(4, cell(16, 'attention-qv', 4))];

describe('matrix layout', () => {
  it('lists every column flat, minus hidden ones', () => {
    const l = layoutColumns(COLUMNS, { mode: 'flat', tabAxis: null, groupAxis: null, tab: null, hidden: new Set(['run-3']) });
    expect(l.columns.map((c) => c.key)).toEqual(['base', 'run-1', 'run-2', 'run-4']);
    expect(l.tabs).toEqual([]);
  });

  it('lays runs out by axes: a tab per bit width, groups by target set, r ascending inside (numeric order)', () => {
    expect(varyingAxes(COLUMNS)).toEqual(['r', 'targets', 'bits', 'loraAlpha']);
    const l = layoutColumns(COLUMNS, { mode: 'axes', tabAxis: 'bits', groupAxis: 'targets', tab: null, hidden: new Set() });
    expect(l.tabs).toEqual(['4-bit', '32-bit']);
    expect(l.tab).toBe('4-bit');
    expect(l.groups.map((g) => [g.label, g.columns.map((c) => c.key)])).toEqual([[null, ['base']], ['all linear', ['run-3']], ['attention q,v', ['run-4']]]);
    const l32 = layoutColumns(COLUMNS, { mode: 'axes', tabAxis: 'bits', groupAxis: null, tab: '32-bit', hidden: new Set() });
    expect(l32.columns.map((c) => c.key)).toEqual(['base', 'run-2', 'run-1']); // r=8 before r=16
  });
});

const meta = (kind: 'final' | 'checkpoint') => ({ greedy: true, temperature: 1, topP: 1, topK: 0, maxNewTokens: 8, stopStrings: [], seed: 0, kind, stopReason: 'eos' as const, promptTokens: 3, base: '32-bit float32' });
const sample = (id: number, runId: number | null, promptId: number, kind: 'final' | 'checkpoint', step: number | null): MatrixSample => ({
  id, sweepId: 1, runId, promptId, prompt: 'p', output: `o${id}`, step, meta: meta(kind), tokensPerSecond: 1, length: 1, createdAt: '', rougeL: null, bleu: null,
});

describe('cell samples', () => {
  it('shows the newest final sample and the newest sample per checkpoint step, in step order', () => {
    const idx = indexSamples([sample(1, 7, 1, 'final', 20), sample(2, 7, 1, 'checkpoint', 10), sample(3, 7, 1, 'final', 20), sample(4, 7, 1, 'checkpoint', 5), sample(5, 7, 1, 'checkpoint', 10), sample(6, null, 1, 'final', null)]);
    expect(idx.get(cellKey('run-7', 1))!.final!.id).toBe(3);
    expect(idx.get(cellKey('run-7', 1))!.checkpoints.map((s) => s.id)).toEqual([4, 5]);
    expect(idx.get(cellKey('base', 1))!.final!.id).toBe(6);
  });
});

describe('matrix keyboard', () => {
  const none = { ctrl: false, alt: false, meta: false };
  it('maps keys to moves, scores, flags and the note', () => {
    expect(matrixAction('j', none)).toEqual({ kind: 'move', dRow: 1, dCol: 0 });
    expect(matrixAction('ArrowLeft', none)).toEqual({ kind: 'move', dRow: 0, dCol: -1 });
    expect(matrixAction('4', none)).toEqual({ kind: 'score', score: 4 });
    expect(matrixAction('0', none)).toEqual({ kind: 'score', score: null });
    expect(matrixAction('r', none)).toEqual({ kind: 'flag', flag: 'repetition' });
    expect(matrixAction('Enter', none)).toEqual({ kind: 'note' });
    expect(matrixAction('6', none)).toBeNull();
    expect(matrixAction('r', { ...none, ctrl: true })).toBeNull(); // Ctrl+R reloads, it does not flag
  });

  it('keeps the cursor inside the matrix', () => {
    expect(moveCursor({ row: 0, col: 0 }, { dRow: -1, dCol: -1 }, 3, 4)).toEqual({ row: 0, col: 0 });
    expect(moveCursor({ row: 2, col: 3 }, { dRow: 1, dCol: 1 }, 3, 4)).toEqual({ row: 2, col: 3 });
    expect(moveCursor({ row: 1, col: 1 }, { dRow: 1, dCol: 0 }, 3, 4)).toEqual({ row: 2, col: 1 });
  });
});

describe('summary sort', () => {
  const row = (key: string, meanRating: number | null, theta: number | null): SummaryRow => ({
    key, runId: null, label: key, method: 'lora', r: 8, targets: null, bits: 32, loraAlpha: null, learningRate: null, seed: null, trainableParams: null,
    trainSeconds: null, peakMemoryBytes: null, baseWeightBytes: null, baseBitsPerWeight: null, finalTrainLoss: null, valLoss: null, perplexity: null, meanRating, ratings: 0,
    rougeL: null, bleu: null, pairwise: theta === null ? null : { key, label: key, theta, lo: null, hi: null, elo: null, wins: 0, losses: 0, ties: 0 },
    exampleOutput: null, examplePromptId: null,
  });
  it('sorts either way with unknown values last', () => {
    const rows = [row('a', 3, 0.1), row('b', null, -1), row('c', 4.5, null)];
    expect(sortRows(rows, 'meanRating', true).map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(sortRows(rows, 'meanRating', false).map((r) => r.key)).toEqual(['a', 'c', 'b']);
    expect(sortRows(rows, 'pairwise', true).map((r) => r.key)).toEqual(['a', 'b', 'c']);
  });
});
