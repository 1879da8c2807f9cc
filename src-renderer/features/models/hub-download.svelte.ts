// The Hub download panel's state: the repo and revision typed, the plan (files and total size) checked before
// starting, the live progress (from the request and the host's `hub/progress` events, so another window's download
// shows too), and a token asked for when the Hub says the model is gated.
import type { HubPlan, HubProgress, HubTokenStatus } from '../../../src-shared/domain/hub';
import type { ModelRecord } from '../../../src-shared/domain/records';
import { isPeftLabError } from '../../../src-shared/errors';
import type { Host } from '../../lib/host';
import { errorMessage } from '../../lib/format';

export class HubDownloadState {
  repo = $state('');
  revision = $state('main');
  plan = $state.raw<HubPlan | null>(null);
  progress = $state.raw<HubProgress | null>(null);
  error = $state<string | null>(null);
  /** The Hub refused without (or with the given) token: show the token box. */
  needsToken = $state(false);
  token = $state.raw<HubTokenStatus | null>(null);
  busy = $state<'plan' | 'download' | 'token' | null>(null);
  done = $state.raw<ModelRecord | null>(null);
  private readonly off: () => void;
  private controller: AbortController | null = null;

  constructor(private readonly host: Host) {
    this.off = host.on('hub/progress', (p) => {
      if (p.repo === this.repo.trim() || this.busy === 'download') this.progress = p;
    });
  }

  private target(): { repo: string; revision?: string } {
    const revision = this.revision.trim();
    return { repo: this.repo.trim(), ...(revision && revision !== 'main' ? { revision } : {}) };
  }

  private fail(err: unknown): void {
    this.error = errorMessage(err);
    this.needsToken = isPeftLabError(err, 'HUB_AUTH') && err.details?.needsToken === true;
  }

  async loadToken(): Promise<void> {
    try {
      this.token = await this.host.request('hub/token/status', {});
    } catch {
      /* status is a hint only */
    }
  }

  async check(): Promise<void> {
    this.busy = 'plan';
    this.error = null;
    this.plan = null;
    this.done = null;
    this.progress = null;
    try {
      this.plan = await this.host.request('hub/plan', this.target());
      this.needsToken = false;
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = null;
    }
  }

  async download(): Promise<ModelRecord | null> {
    this.busy = 'download';
    this.error = null;
    this.done = null;
    this.controller = new AbortController();
    try {
      const rec = await this.host.request('hub/download', this.target(), { signal: this.controller.signal, onProgress: (p) => (this.progress = p) });
      this.done = rec;
      this.plan = null; // fetched: the plan's sizes and cache state are history now
      this.needsToken = false;
      return rec;
    } catch (err) {
      this.fail(err);
      return null;
    } finally {
      this.busy = null;
      this.controller = null;
    }
  }

  /** Stops the download; what came so far stays in the cache and the next download resumes from it. */
  cancel(): void {
    this.controller?.abort();
  }

  /** Keeps the token (keychain in the desktop, memory in web mode), then checks the repo again. */
  async useToken(token: string): Promise<void> {
    this.busy = 'token';
    this.error = null;
    try {
      this.token = await this.host.request('hub/token/set', { token: token.trim() });
      this.needsToken = false;
    } catch (err) {
      this.fail(err);
      return;
    } finally {
      this.busy = null;
    }
    await this.check();
  }

  async forgetToken(): Promise<void> {
    this.token = await this.host.request('hub/token/clear', {});
  }

  dispose(): void {
    this.off();
  }
}
