// The host's "remote workers" setting: the Redis URL of the queue (null: every run trains in a local worker, as
// before). Setting it hands queued runs to the queue from then on; clearing it brings them back to local workers.
// The URL cannot change while runs are in the queue (they would be trained twice, there and elsewhere).
import { PeftLabError } from '../../src-shared/errors';
import type { HostServices } from '../host/services';
import { parseQueueUrl } from './config';
import { RemoteRuns } from './remote-runs';

export const QUEUE_URL_SETTING = 'queueUrl';

export function queueUrl(s: HostServices): string | null {
  return s.store.settings.get<string | null>(QUEUE_URL_SETTING, null);
}

/** Connects the scheduler to the queue the setting names (or back to local workers). */
export function applyQueueSetting(s: HostServices): void {
  const url = queueUrl(s);
  if ((s.scheduler.remoteRuns?.url ?? null) === url) return;
  s.scheduler.useRemote(url ? new RemoteRuns(s, url, () => s.scheduler.tick()) : null);
}

/** Validates and stores the URL (null or '' clears it), then applies it. */
export function setQueueUrl(s: HostServices, value: string | null): void {
  const url = value === null || value.trim() === '' ? null : parseQueueUrl(value, 'settings.queueUrl');
  const current = s.scheduler.remoteRuns;
  if (current && current.url !== url && current.size > 0) {
    // Their cells stay in that queue: following another (or training locally) could train them twice.
    throw new PeftLabError('BAD_ARGUMENT', `settings.queueUrl: ${current.size} run(s) are in the queue at ${current.url}; stop them or let them finish before changing the queue URL`, { field: 'queueUrl' });
  }
  s.store.settings.set(QUEUE_URL_SETTING, url);
  applyQueueSetting(s);
}
