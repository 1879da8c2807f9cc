// One end-to-end session: a temporary folder with the tiny model and dataset, `peft-lab serve` on its own data
// folder, and Chromium on a page. Registers the vitest hooks that start it before the file's tests and tear it
// all down afterwards; `fail` throws with the server's stderr and the page's errors attached.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from './browser';
import { openBrowser } from './browser';
import { writeFixtures } from './fixtures';
import type { Served } from './serve';
import { ensureRendererBuilt, startServe } from './serve';

export interface Session {
  served: Served;
  browser: Browser;
  page: Page;
  files: { modelDir: string; datasetPath: string };
  fail: (message: string) => never;
}

export function useSession(prefix: string): Session {
  let root = '';
  const session = {
    fail(message: string): never {
      throw new Error(`${message}\n--- serve stderr ---\n${session.served.log().slice(-4000)}\n--- page errors ---\n${session.browser.errors.join('\n')}`);
    },
  } as Session;
  beforeAll(async () => {
    ensureRendererBuilt();
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    session.files = await writeFixtures(root);
    session.served = await startServe(path.join(root, 'data'));
    session.browser = await openBrowser();
    session.page = session.browser.page;
    session.page.setDefaultTimeout(60_000);
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.served?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });
  return session;
}
