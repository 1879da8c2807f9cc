// What the loss chart draws: debiased EMA, raw series behind the smoothed one, validation dashed, x on step /
// epoch / tokens (validation points borrowing epoch and tokens from the train series), log axis dropping y <= 0.
import { describe, expect, it } from 'vitest';
import { emaSmooth } from '../../src-renderer/lib/ema';
import { lossLines, xResolver } from '../../src-renderer/lib/chart-series';
import type { MetricRow } from '../../src-renderer/lib/series-store';

describe('emaSmooth', () => {
  it('is the identity at weight 0 and debiased otherwise (the first value is kept)', () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
    const s = emaSmooth([4, 2], 0.5);
    expect(s[0]).toBeCloseTo(4);
    // (0.5·0.5·4 + 0.5·2) / (1 − 0.25) = 2 / 0.75
    expect(s[1]).toBeCloseTo(2 / 0.75 + 0, 10);
  });

  it('passes non-finite values through without poisoning the average', () => {
    const s = emaSmooth([1, Number.NaN, 1], 0.9);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[2]).toBeCloseTo(1);
  });
});

describe('xResolver', () => {
  const train: MetricRow[] = [[10, 1, 1, 1000], [20, 1, 2, 2000], [30, 1, 3, 3000]];
  it('uses a row’s own value and interpolates a validation row that has none', () => {
    expect(xResolver('step', train)([25, 1, null, null])).toBe(25);
    expect(xResolver('epoch', train)([25, 1, null, null])).toBeCloseTo(2.5);
    expect(xResolver('tokens', train)([20, 1, null, null])).toBe(2000);
    expect(xResolver('tokens', train)([20, 1, null, 1234])).toBe(1234);
  });
});

describe('lossLines', () => {
  const rows: Record<string, MetricRow[]> = {
    '1:train_loss': [[1, 2, 0.1, 100], [2, 1, 0.2, 200], [3, 0, 0.3, 300]],
    '1:val_loss': [[2, 1.5, null, null]],
  };
  const rowsOf = (id: number, name: string): MetricRow[] => rows[`${id}:${name}`] ?? [];

  it('draws raw (faint, no tooltip), smoothed train and dashed validation per run', () => {
    const lines = lossLines([{ runId: 1, label: 'r=8', colour: '#4e79a7' }], rowsOf, { xAxis: 'step', smoothing: 0.5, logY: false });
    expect(lines.map((l) => [l.key, l.dashed, l.tooltip])).toEqual([['1:raw', false, false], ['1:train', false, true], ['1:val', true, true]]);
    expect(lines[0].colour).toBe('#4e79a740');
    expect(lines[2].points).toEqual([{ x: 2, y: 1.5 }]);
  });

  it('has no raw line without smoothing, drops y <= 0 on a log axis, and maps x to tokens', () => {
    const lines = lossLines([{ runId: 1, label: 'r=8', colour: '#000000' }], rowsOf, { xAxis: 'tokens', smoothing: 0, logY: true });
    expect(lines.map((l) => l.key)).toEqual(['1:train', '1:val']);
    expect(lines[0].points).toEqual([{ x: 100, y: 2 }, { x: 200, y: 1 }]);
    expect(lines[1].points).toEqual([{ x: 200, y: 1.5 }]);
  });
});
