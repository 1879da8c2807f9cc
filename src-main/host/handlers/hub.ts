// hub/*: the Hugging Face Hub. Plan a download (files, sizes, what the cache has), download into the shared cache
// and register the snapshot folder (progress to the caller and, as `hub/progress` events, to every window), and
// the token a gated model needs: status, keep (OS keychain in the desktop, memory in web mode), forget.
import type { HubProgress, HubTokenStatus } from '../../../src-shared/domain/hub';
import { PeftLabError } from '../../../src-shared/errors';
import { downloadModel, planDownload } from '../../hub/download';
import { defaultTokenVault, resolveToken } from '../../hub/token';
import { registerFolder } from './models';
import type { Handler, HandlerMap } from './types';

/** Repos being downloaded now, so a second click does not start a second download of the same files. */
const running = new Set<string>();

async function tokenStatus(): Promise<HubTokenStatus> {
  const vault = defaultTokenVault();
  return { source: (await resolveToken(undefined, vault)).source, storage: vault.storage };
}

const plan: Handler<'hub/plan'> = async ({ repo, revision, token }, { signal }) => {
  const t = await resolveToken(token, defaultTokenVault());
  return planDownload({ repo, revision, token: t.token ?? undefined, signal });
};

const download: Handler<'hub/download'> = async ({ repo, revision, token, name }, { s, signal, progress }) => {
  const key = `${repo}@${revision ?? 'main'}`;
  if (running.has(key)) throw new PeftLabError('BAD_ARGUMENT', `${key} is already being downloaded; wait for it to finish`);
  running.add(key);
  const report = (p: HubProgress): void => {
    progress(p);
    s.bus.emit('hub/progress', p);
  };
  let last: HubProgress | null = null;
  try {
    const t = await resolveToken(token, defaultTokenVault());
    const { plan: p, dir } = await downloadModel({ repo, revision, token: t.token ?? undefined, signal }, (x) => {
      last = x;
      if (x.phase !== 'done') report(x); // 'done' once registered
    });
    const done = last as HubProgress | null;
    if (done) report({ ...done, phase: 'registering' });
    const rec = await registerFolder(s, dir, name ?? repo, { repo, revision: p.revision, commit: p.commit, endpoint: p.endpoint });
    if (done) report({ ...done, phase: 'done' });
    return rec;
  } catch (e) {
    const was = last as HubProgress | null;
    const blank: HubProgress = { repo, revision: revision ?? 'main', phase: 'failed', file: null, filesDone: 0, files: 0, bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0, etaSeconds: null, resumedBytes: 0 };
    if (was?.phase !== 'failed') report({ ...(was ?? blank), phase: 'failed', error: (e as Error).message });
    throw e;
  } finally {
    running.delete(key);
  }
};

export const hubHandlers: Pick<HandlerMap, 'hub/plan' | 'hub/download' | 'hub/token/status' | 'hub/token/set' | 'hub/token/clear'> = {
  'hub/plan': plan,
  'hub/download': download,
  'hub/token/status': () => tokenStatus(),
  'hub/token/set': async ({ token }) => {
    await defaultTokenVault().set(token);
    return tokenStatus();
  },
  'hub/token/clear': async () => {
    await defaultTokenVault().set(null);
    return tokenStatus();
  },
};
