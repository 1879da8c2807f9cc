// `peft-lab download REPO_ID`: shows the plan (files, total size, what the cache has), downloads through an
// in-process host (the same handler the app uses) with progress on stderr, prints the registered model.
import type { HubPlan, HubProgress } from '../../../src-shared/domain/hub';
import { HubTokenSchema, RepoIdSchema, RevisionSchema } from '../../../src-shared/domain/hub';
import type { z } from 'zod';
import { PeftLabError } from '../../../src-shared/errors';
import type { ModelRecord } from '../../../src-shared/domain/records';
import { formatBytes } from '../../engine/plan/memory';
import { hubCacheDir, hubEndpoint } from '../../hub/locations';
import { printJson, printLines } from '../output';
import { withHost } from './sweep';

export interface DownloadCliOptions {
  revision: string;
  token?: string;
  cacheDir?: string;
  dataDir?: string;
  endpoint?: string;
  name?: string;
  dryRun?: boolean;
  json?: boolean;
}

function planLines(p: HubPlan): string[] {
  return [
    `${p.repo}@${p.revision} (commit ${p.commit.slice(0, 12)}${p.gated ? `, gated: ${p.gated}` : ''}) ${p.offline ? `from the cache (${p.endpoint} not reachable)` : `from ${p.endpoint}`}`,
    ...p.files.map((f) => `  ${f.path.padEnd(40)} ${formatBytes(f.size).padStart(10)}${f.cached ? '  cached' : ''}`),
    `${p.files.length} files, ${formatBytes(p.totalBytes)} (${formatBytes(p.totalBytes - p.cachedBytes)} to download) → ${p.cacheDir}`,
    ...(p.skipped.length ? [`not needed for a run: ${p.skipped.join(', ')}`] : []),
  ];
}

export function progressLine(p: HubProgress): string {
  const pct = p.bytesTotal > 0 ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '0.0';
  const eta = p.etaSeconds === null ? '—' : `${Math.ceil(p.etaSeconds)} s`;
  return `${p.phase} ${p.file ?? ''} ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)} (${pct}%) · ${formatBytes(p.bytesPerSecond)}/s · ETA ${eta}`.replace(/ {2,}/g, ' ');
}

/** One command-line value checked by its schema: "--token: a Hugging Face token starts with …". */
function arg<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new PeftLabError('BAD_ARGUMENT', `${where}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function download(repoArg: string, o: DownloadCliOptions): Promise<void> {
  const repo = arg(RepoIdSchema, repoArg, 'REPO_ID');
  const revision = arg(RevisionSchema, o.revision, '--revision');
  const token = o.token === undefined ? undefined : arg(HubTokenSchema, o.token, '--token');
  // The host's Hub handlers read the endpoint and cache from the environment, as Python's client does.
  process.env.HF_ENDPOINT = hubEndpoint(o.endpoint);
  process.env.HF_HUB_CACHE = hubCacheDir(o.cacheDir);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const rec = await withHost({ data: o.dataDir }, async (client): Promise<ModelRecord | HubPlan> => {
    const plan = await client.request('hub/plan', { repo, revision, token });
    if (o.dryRun) return plan;
    if (!o.json) process.stderr.write(`${planLines(plan).join('\n')}\n`);
    return client.request('hub/download', { repo, revision, token, name: o.name }, {
      onProgress: (p) => {
        const now = Date.now();
        if (tty) process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
        else if (now - lastLine >= 1000 || p.phase === 'done') {
          lastLine = now;
          process.stderr.write(`${progressLine(p)}\n`);
        }
      },
    });
  });
  if (tty) process.stderr.write('\n');
  if (o.json) return printJson(rec);
  if ('commit' in rec) return printLines(planLines(rec));
  printLines([`registered model ${rec.id} "${rec.name}": ${rec.modelType}, ${rec.params.toLocaleString('en-US')} params, ${rec.dtype ?? '—'}${rec.quantization === 'none' ? '' : `, ${rec.quantization}`} at ${rec.path}`]);
}
