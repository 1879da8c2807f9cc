// The host's downsampling of a series' overview to the points a chart asks for: LTTB over the finite values (a NaN
// would poison its triangle areas), the first and last rows always kept, nothing done below the limit.
import { describe, expect, it } from 'vitest';
import { downsampleRows } from '../../src-main/host/handlers/runs';
import type { BucketPoint } from '../../src-main/store/repos/metrics';

const row = (step: number, value: number): BucketPoint => [step, value, step / 100, step * 10];

describe('downsampleRows', () => {
  it('returns the rows as they are when they fit', () => {
    const rows = [row(1, 2), row(2, NaN), row(3, 1)];
    expect(downsampleRows(rows, 3)).toBe(rows);
  });

  it('picks maxPoints rows with LTTB, keeping the first, the last and a spike', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => row(i + 1, i === 500 ? 40 : 2 + Math.sin(i / 10)));
    const picked = downsampleRows(rows, 100);
    expect(picked).toHaveLength(100);
    expect(picked[0]).toBe(rows[0]);
    expect(picked[99]).toBe(rows[999]);
    expect(picked).toContain(rows[500]);
    expect(picked.every((r, i) => i === 0 || r[0] > picked[i - 1][0])).toBe(true);
  });

  it('ignores NaN values while choosing, and keeps a NaN first or last row (a run that diverged)', () => {
    const rows = Array.from({ length: 300 }, (_, i) => row(i + 1, i % 7 === 3 || i === 299 ? NaN : 1 + (i % 5)));
    const picked = downsampleRows(rows, 50);
    expect(picked.length).toBeLessThanOrEqual(51);
    expect(picked.slice(0, -1).every((r) => Number.isFinite(r[1]))).toBe(true);
    expect(picked[picked.length - 1]).toBe(rows[299]);
    expect(picked[0]).toBe(rows[0]);
  });
});
