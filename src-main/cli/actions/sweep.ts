// The sweep commands, through an in-process host and the typed client (what the renderer does over a socket).
import * as path from 'node:path';
import { defaultDataDir } from '../data-dir';
import type { SweepSpec } from '../../../src-shared/domain/sweep-spec';
import { SweepSpecSchema } from '../../../src-shared/domain/sweep-spec';
import { parseWith } from '../../../src-shared/domain/validate';
import type { RunRecord } from '../../../src-shared/domain/records';
import { HostClient } from '../../../src-shared/protocol/client';
import { memoryTransportPair } from '../../../src-shared/protocol/memory-transport';
import { createHost } from '../../host/host';
import type { HostCore } from '../../host/host';
import { formatBytes } from '../../engine/plan/memory';
import { readJsonFile } from '../json-file';
import { printJson, printLines } from '../output';
import { idleOrStopSignal, signalExitCode } from '../stop-on-signal';

export interface SweepCliOptions {
  data?: string;
  concurrency?: number;
  json?: boolean;
  /** Redis URL of the queue remote workers take cells from ('' clears the setting). */
  queue?: string;
}

/** Reads a sweep spec; relative paths are resolved against the spec file's folder. */
export function readSweepSpec(file: string): SweepSpec {
  const json = readJsonFile(file, 'sweep spec');
  const spec = parseWith(SweepSpecSchema, json, file);
  const dir = path.dirname(path.resolve(file));
  const ds = { ...spec.dataset, path: path.resolve(dir, spec.dataset.path) };
  if (ds.validationPath) ds.validationPath = path.resolve(dir, ds.validationPath);
  return { ...spec, model: path.resolve(dir, spec.model), dataset: ds };
}

/** Runs `fn` against an in-process host on the data folder of `o` (the same host the app uses), then shuts it down. */
export async function withHost<T>(o: { data?: string }, fn: (client: HostClient, host: HostCore) => Promise<T>): Promise<T> {
  const host = await createHost({ dataDir: path.resolve(o.data ?? defaultDataDir()), mode: 'cli' });
  const { client, server } = memoryTransportPair();
  host.attach(server);
  const hc = new HostClient(client);
  try {
    return await fn(hc, host);
  } finally {
    hc.close();
    await host.shutdown();
  }
}

export async function planSweep(file: string, o: SweepCliOptions): Promise<void> {
  const spec = readSweepSpec(file);
  await withHost(o, async (client) => {
    const pf = await client.request('sweeps/preflight', { spec });
    if (o.json) return printJson(pf);
    printLines([
      `${pf.cells.length} cells · ${pf.maxSteps} updates each · ${pf.trainExamples} training examples · backend ${pf.backend} (budget ${formatBytes(pf.memoryBudget.bytes)}: ${pf.memoryBudget.basis})`,
      ...pf.cells.map((c) => {
        const state = c.availability.state === 'ok' ? (c.fits === false ? 'does not fit' : 'ok') : `${c.availability.state}: ${c.availability.reason}`;
        return `${c.cell.label.padEnd(40)} ${(c.trainableParams?.toLocaleString('en-US') ?? '—').padStart(12)} params  ${c.memory ? formatBytes(c.memory.totalBytes).padStart(10) : '—'.padStart(10)}  ${state}`;
      }),
      ...pf.warnings.map((w) => `warning: ${w}`),
    ]);
  });
}

export async function runSweep(file: string, o: SweepCliOptions): Promise<void> {
  const spec = readSweepSpec(file);
  let stoppedBy: NodeJS.Signals | null = null;
  const runs = await withHost(o, async (client, host) => {
    if (o.concurrency) await client.request('settings/set', { concurrency: o.concurrency });
    if (o.queue !== undefined) await client.request('settings/set', { queueUrl: o.queue });
    client.on('run/updated', (r) => process.stderr.write(`${r.label}: ${r.status} step ${r.step}/${r.maxSteps ?? '?'}${r.lastLoss !== null ? ` loss ${r.lastLoss.toFixed(4)}` : ''}\n`));
    const sweep = await client.request('sweeps/create', { spec, launch: true });
    stoppedBy = await idleOrStopSignal(host, (m) => process.stderr.write(`${m}\n`)); // SIGTERM: a graceful stop
    return (await client.request('sweeps/get', { id: sweep.id })).runs;
  });
  if (o.json) printJson(runs);
  else printLines(runs.map((r: RunRecord) => `${r.label.padEnd(40)} ${r.status.padEnd(12)} loss ${r.lastLoss?.toFixed(4) ?? '—'}  val ${r.valLoss?.toFixed(4) ?? '—'}  ${r.outputDir ?? ''}`));
  if (runs.some((r) => r.status !== 'finished')) process.exitCode = stoppedBy ? signalExitCode(stoppedBy) : 1;
}
