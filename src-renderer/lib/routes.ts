// The screens of the app as URL hashes, so a reload returns to the same place:
// #/models, #/sweeps/new, #/runs (newest sweep), #/sweeps/ID (one sweep's runs), #/runs/ID (one run),
// #/review (newest sweep's outputs), #/review/ID/matrix|pairwise|summary, #/review/ID/matrix/run-3 (one column in focus).
export type ReviewTab = 'matrix' | 'pairwise' | 'summary';

export type Route =
  | { screen: 'models' }
  | { screen: 'sweep-new' }
  | { screen: 'runs'; sweepId: number | null }
  | { screen: 'run'; runId: number }
  | { screen: 'review'; sweepId: number | null; tab: ReviewTab; focus: string | null };

export type Screen = Route['screen'];

const TABS: ReviewTab[] = ['matrix', 'pairwise', 'summary'];

function positiveInt(text: string | undefined): number | null {
  if (!text || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}

function reviewRoute(parts: string[]): Route {
  const [, id, tab, focus] = parts;
  const t = TABS.find((x) => x === tab) ?? 'matrix';
  return { screen: 'review', sweepId: positiveInt(id), tab: t, focus: t === 'matrix' && focus && /^(base|run-\d+)$/.test(focus) ? focus : null };
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [head, arg] = parts;
  if (head === 'sweeps' && arg === 'new') return { screen: 'sweep-new' };
  if (head === 'sweeps') return { screen: 'runs', sweepId: positiveInt(arg) };
  if (head === 'review') return reviewRoute(parts);
  if (head === 'runs') {
    const runId = positiveInt(arg);
    return runId === null ? { screen: 'runs', sweepId: null } : { screen: 'run', runId };
  }
  return { screen: 'models' };
}

export function routeHash(route: Route): string {
  switch (route.screen) {
    case 'models':
      return '#/models';
    case 'sweep-new':
      return '#/sweeps/new';
    case 'runs':
      return route.sweepId === null ? '#/runs' : `#/sweeps/${route.sweepId}`;
    case 'run':
      return `#/runs/${route.runId}`;
    case 'review':
      if (route.sweepId === null) return '#/review';
      return `#/review/${route.sweepId}/${route.tab}${route.focus ? `/${route.focus}` : ''}`;
  }
}
