// The current screen, kept in the URL hash (so reload and back/forward work).
import type { Route } from '../lib/routes';
import { parseHash, routeHash } from '../lib/routes';

export class Router {
  route = $state.raw<Route>(parseHash(location.hash));
  private readonly onHashChange = (): void => {
    this.route = parseHash(location.hash);
  };

  constructor() {
    window.addEventListener('hashchange', this.onHashChange);
    if (!location.hash) history.replaceState(null, '', routeHash(this.route));
  }

  go(route: Route): void {
    const hash = routeHash(route);
    if (location.hash === hash) this.route = route;
    else location.hash = hash;
  }

  dispose(): void {
    window.removeEventListener('hashchange', this.onHashChange);
  }
}
