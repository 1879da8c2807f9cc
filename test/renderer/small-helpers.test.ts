// Routes, number formats and whitespace marking: small, but every screen depends on them.
import { describe, expect, it } from 'vitest';
import { parseHash, routeHash } from '../../src-renderer/lib/routes';
import type { Route } from '../../src-renderer/lib/routes';
import { formatBytes, formatCompact, formatDuration, formatInt, formatPercent, formatTime } from '../../src-renderer/lib/format';
import { whitespaceParts } from '../../src-renderer/lib/visible-whitespace';

describe('routes', () => {
  it('round-trips every screen through the URL hash', () => {
    const routes: Route[] = [{ screen: 'models' }, { screen: 'sweep-new' }, { screen: 'runs', sweepId: null }, { screen: 'runs', sweepId: 3 }, { screen: 'run', runId: 12 },
      { screen: 'review', sweepId: 2, tab: 'matrix', focus: null }, { screen: 'review', sweepId: 2, tab: 'summary', focus: null },
      { screen: 'review', sweepId: 2, tab: 'pairwise', focus: null }, { screen: 'review', sweepId: 2, tab: 'matrix', focus: 'run-7' }];
    for (const r of routes) expect(parseHash(routeHash(r))).toEqual(r);
    expect(parseHash('#/review')).toEqual({ screen: 'review', sweepId: null, tab: 'matrix', focus: null });
    expect(parseHash('#/review/4/nonsense/run-1')).toEqual({ screen: 'review', sweepId: 4, tab: 'matrix', focus: 'run-1' });
    expect(parseHash('#/review/4/matrix/evil')).toEqual({ screen: 'review', sweepId: 4, tab: 'matrix', focus: null });
  });

  it('falls back to the models screen for unknown or malformed hashes', () => {
    expect(parseHash('')).toEqual({ screen: 'models' });
    expect(parseHash('#/nowhere')).toEqual({ screen: 'models' });
    expect(parseHash('#/runs/abc')).toEqual({ screen: 'runs', sweepId: null });
    expect(parseHash('#/sweeps/0')).toEqual({ screen: 'runs', sweepId: null });
  });
});

describe('formats', () => {
  it('reads numbers the way the tables show them', () => {
    expect(formatInt(2048)).toBe('2,048');
    expect(formatCompact(35_680)).toBe('35.7K');
    expect(formatCompact(3_426_473_472)).toBe('3.43B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.0 MiB');
    expect(formatDuration(3.04)).toBe('3.0 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 h 05 min');
    expect(formatPercent(448, 36_128)).toBe('1.24%');
    expect(formatInt(null)).toBe('—');
  });

  it('shows only the time for today, day and month otherwise', () => {
    const now = new Date('2026-11-23T18:00:00');
    expect(formatTime('2026-11-23T17:13:05', now)).toBe('17:13:05');
    expect(formatTime('2026-11-20T09:30:00', now)).toBe('20 Nov 09:30');
  });
});

describe('whitespaceParts', () => {
  it('marks every whitespace character and keeps the text byte for byte', () => {
    const text = 'Q: add\t2\n\nA: ';
    const parts = whitespaceParts(text);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.kind !== 'text').map((p) => p.kind)).toEqual(['space', 'tab', 'newline', 'newline', 'space']);
  });
});
