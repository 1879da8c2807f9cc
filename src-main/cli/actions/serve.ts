// `peft-lab serve`: create the host (web mode), serve out/renderer and the API on 127.0.0.1, print one line
// `PEFT Lab web mode: <url>` on stdout, run until SIGINT/SIGTERM, then close connections and shut the host down
// (runs in flight stop and stay resumable from their last checkpoint). A second Ctrl+C exits at once.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../data-dir';
import { checkBuilt, startWebServer } from '../../host/server/web-server';
import type { WebServer } from '../../host/server/web-server';
import { staleSources } from '../../host/server/build-check';
import type { HostCore } from '../../host/host';
import { untilSignal } from '../until-signal';

export interface ServeOptions {
  port: number;
  data?: string;
  buildCheck: boolean;
}

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function checkRenderer(staticDir: string): void {
  checkBuilt(staticDir);
  const stale = staleSources(join(staticDir, 'index.html'), [join(REPO_ROOT, 'src-renderer'), join(REPO_ROOT, 'src-shared')]);
  if (stale.length > 0) {
    process.stderr.write(`peft-lab: warning: the built renderer is older than ${stale.join(' and ')}; run \`npm run build\` to serve the current UI.\n`);
  }
}

async function stop(host: Pick<HostCore, 'inFlight' | 'shutdown'>, server: WebServer): Promise<void> {
  const { runs } = host.inFlight();
  if (runs > 0) process.stderr.write(`stopping ${runs} run${runs === 1 ? '' : 's'}; resume ${runs === 1 ? 'it' : 'them'} later from the last checkpoint.\n`);
  await server.close();
  await host.shutdown();
  process.stderr.write('PEFT Lab web mode stopped.\n');
}

export async function serve(o: ServeOptions): Promise<void> {
  const staticDir = join(REPO_ROOT, 'out', 'renderer');
  if (o.buildCheck) checkRenderer(staticDir);
  const dataDir = resolve(o.data ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const { createHost } = await import('../../host/host');
  const host = await createHost({ dataDir, mode: 'web' });
  const { seedDemoOnFirstRun } = await import('../../host/first-run');
  await seedDemoOnFirstRun(host, (m) => process.stderr.write(`${m}\n`));
  let server: WebServer;
  try {
    server = await startWebServer({ host, port: o.port, staticDir, requireBuild: o.buildCheck });
  } catch (err) {
    await host.shutdown();
    throw err;
  }
  process.stdout.write(`PEFT Lab web mode: ${server.url}\n`);
  process.stderr.write(`data folder: ${dataDir}\nopen the URL above in a browser on this machine; Ctrl+C stops.\n`);
  await untilSignal();
  await stop(host, server);
  // Anything the host forgot to release must not keep a stopped server alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
}
