// Everything the screens share once connected: the host, the library of models and datasets, the preview, the
// sweep being built and its pre-flight, the sweeps and runs, the one subscription to metric points, the router.
// Kept for the app's lifetime so that switching screens loses no work.
import { getContext, setContext } from 'svelte';
import type { Host } from '../lib/host';
import { MetricsHub } from '../lib/metrics-hub';
import { ChartPrefs } from './chart-prefs.svelte';
import type { ConnectionState } from './connection.svelte';
import { LibraryState } from './library.svelte';
import { PreflightState } from './preflight.svelte';
import { PreviewState } from './preview.svelte';
import type { Router } from './router.svelte';
import { RunsState } from './runs.svelte';
import { SweepDraft } from './sweep-draft.svelte';

export class AppState {
  readonly library: LibraryState;
  readonly preview: PreviewState;
  readonly draft = new SweepDraft();
  readonly chartPrefs = new ChartPrefs();
  readonly preflight: PreflightState;
  readonly runs: RunsState;
  readonly hub: MetricsHub;
  readonly report = (err: unknown): void => this.connection.report(err);

  constructor(
    readonly host: Host,
    readonly connection: ConnectionState,
    readonly router: Router,
  ) {
    this.library = new LibraryState(host, this.report);
    this.preview = new PreviewState(host, this.report);
    this.preflight = new PreflightState(host, this.report);
    this.runs = new RunsState(host, this.report);
    this.hub = new MetricsHub(host);
  }

  async start(): Promise<void> {
    // Sweeps first: the runs screen (the usual one to reopen) waits for them; the library is asked right after.
    await Promise.all([this.runs.load(), this.library.load()]);
  }

  dispose(): void {
    this.library.dispose();
    this.preview.dispose();
    this.preflight.dispose();
    this.runs.dispose();
    this.hub.dispose();
  }
}

const KEY = Symbol('peft-lab-app');

export function provideApp(app: AppState): void {
  setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() outside the connected app');
  return app;
}
