// The runs table's pages: 50 runs a page, the page clamped to those that exist (a sweep that shrank, a bad page).
import { describe, expect, it } from 'vitest';
import { pageView, RUNS_PER_PAGE } from '../../src-renderer/features/runs/paging';

describe('pageView', () => {
  it('shows 50 runs a page with a label', () => {
    expect(RUNS_PER_PAGE).toBe(50);
    expect(pageView(500, 0)).toEqual({ page: 0, pages: 10, start: 0, end: 50, label: '1–50 of 500' });
    expect(pageView(500, 1)).toMatchObject({ start: 50, end: 100, label: '51–100 of 500' });
    expect(pageView(1234, 24)).toMatchObject({ page: 24, pages: 25, start: 1200, end: 1234, label: '1,201–1,234 of 1,234' });
  });

  it('is one page for a small sweep and an empty one', () => {
    expect(pageView(4, 0)).toEqual({ page: 0, pages: 1, start: 0, end: 4, label: '1–4 of 4' });
    expect(pageView(50, 0).pages).toBe(1);
    expect(pageView(51, 0).pages).toBe(2);
    expect(pageView(0, 3)).toEqual({ page: 0, pages: 1, start: 0, end: 0, label: '' });
  });

  it('clamps a page past the end (the sweep shrank) or below 0', () => {
    expect(pageView(120, 9)).toMatchObject({ page: 2, start: 100, end: 120 });
    expect(pageView(120, -3)).toMatchObject({ page: 0, start: 0, end: 50 });
    expect(pageView(120, 1.7)).toMatchObject({ page: 1, start: 50 });
  });
});
