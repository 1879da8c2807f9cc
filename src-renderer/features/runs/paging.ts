// Pages of a long list (the runs of a sweep of hundreds of cells): the table renders one page at a time, so the DOM
// and the work of an update stay the same size whatever the sweep's size. Plain TypeScript, tested in test/renderer.

export const RUNS_PER_PAGE = 50;

export interface PageView {
  /** 0-based page, clamped to the pages there are. */
  page: number;
  pages: number;
  /** Index of the first and one past the last item shown. */
  start: number;
  end: number;
  /** "51–100 of 500" (empty when there is nothing to show). */
  label: string;
}

export function pageView(total: number, page: number, size = RUNS_PER_PAGE): PageView {
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = Math.min(total, p * size);
  const end = Math.min(total, start + size);
  return { page: p, pages, start, end, label: total === 0 ? '' : `${(start + 1).toLocaleString('en-US')}–${end.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}` };
}
