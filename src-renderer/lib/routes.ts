// The screens of the app as URL hashes, so a reload returns to the same place:
// #/models, #/sweeps/new, #/runs (newest sweep), #/sweeps/ID (one sweep's runs), #/runs/ID (one run).
export type Route =
  | { screen: 'models' }
  | { screen: 'sweep-new' }
  | { screen: 'runs'; sweepId: number | null }
  | { screen: 'run'; runId: number };

export type Screen = Route['screen'];

function positiveInt(text: string | undefined): number | null {
  if (!text || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [head, arg] = parts;
  if (head === 'sweeps' && arg === 'new') return { screen: 'sweep-new' };
  if (head === 'sweeps') return { screen: 'runs', sweepId: positiveInt(arg) };
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
  }
}
