// app/info and settings/*.
import * as os from 'node:os';
import type { AppInfo, Settings } from '../../../src-shared/protocol/api';
import { appVersion } from '../files';
import type { HostServices } from '../services';
import { queueUrl, setQueueUrl } from '../../queue/host-setting';
import type { HandlerMap } from './types';

const version = appVersion();

function settings(s: HostServices): Settings {
  return {
    concurrency: s.store.settings.get<number | null>('concurrency', null),
    effectiveConcurrency: s.scheduler.concurrency(),
    backend: s.store.settings.get('backend', 'auto'),
    queueUrl: queueUrl(s),
  };
}

export const appHandlers: Pick<HandlerMap, 'app/info' | 'settings/get' | 'settings/set'> = {
  'app/info': async (_p, { s }): Promise<AppInfo> => ({
    version, dataDir: s.dataDir, mode: s.mode, cores: os.cpus().length, totalMemory: os.totalmem(), freeMemory: os.freemem(),
    backends: (await s.backends()).probes,
    eventLoopLag: s.eventLoopLag(),
  }),
  'settings/get': (_p, { s }) => settings(s),
  'settings/set': (p, { s }) => {
    // First: a bad URL is refused before anything else of the request is saved.
    if (p.queueUrl !== undefined) setQueueUrl(s, p.queueUrl);
    if (p.concurrency !== undefined) s.store.settings.set('concurrency', p.concurrency);
    if (p.backend !== undefined) s.store.settings.set('backend', p.backend);
    s.scheduler.tick();
    return settings(s);
  },
};
