// sweeps/*: pre-flight, timing probe, create (and launch), list, get, launch, stop.
import * as path from 'node:path';
import type { CellPreflight } from '../../../src-shared/domain/preflight';
import type { SweepRecord } from '../../../src-shared/domain/records';
import type { SweepSpec } from '../../../src-shared/domain/sweep-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { cellRunSpec } from '../../sweep/cells';
import { assertModelRunnable } from '../../sweep/model-check';
import { preflight } from '../../sweep/preflight';
import { runShortJob } from '../runs/short-job';
import type { HostServices } from '../services';
import { preflightContext, probeKey } from '../sweep-context';
import { registerDataset } from './datasets';
import { registerModel } from './models';
import type { Handler, HandlerContext, HandlerMap } from './types';

/** Paths in a sweep spec are stored absolute so every run snapshot stands on its own. */
function absolutePaths(spec: SweepSpec): SweepSpec {
  const ds = { ...spec.dataset, path: path.resolve(spec.dataset.path) };
  if (ds.validationPath) ds.validationPath = path.resolve(ds.validationPath);
  return { ...spec, model: path.resolve(spec.model), dataset: ds };
}

const runPreflight: Handler<'sweeps/preflight'> = async ({ spec }, { s, signal }) => {
  const abs = absolutePaths(spec);
  return preflight(abs, await preflightContext(s, abs, signal));
};

const probe: Handler<'sweeps/probe'> = async ({ spec, cellKeys }, { s, signal, progress }) => {
  const abs = absolutePaths(spec);
  const ctx = await preflightContext(s, abs, signal);
  const pf = preflight(abs, ctx);
  const todo = pf.cells.filter((c) => c.availability.state === 'ok' && (!cellKeys || cellKeys.includes(c.cell.key)));
  let done = 0;
  for (const c of todo) {
    if (signal.aborted) throw new PeftLabError('CANCELLED', 'probe cancelled');
    const spec1 = cellRunSpec(abs, c.cell, path.join(s.dataDir, 'probe'));
    // With the threads a run of the sweep will get, so the estimate holds when runs go side by side.
    const r = await runShortJob({ kind: 'probe', spec: spec1, specDir: s.dataDir, steps: 2 }, 'probe-result', signal, s.scheduler.workerEnv());
    const median = [...r.stepSeconds].sort((a, b) => a - b)[Math.floor(r.stepSeconds.length / 2)];
    s.probeCache.set(probeKey(abs, c.cell.key, ctx.backend), median);
    done += 1;
    progress({ cellKey: c.cell.key, done, total: todo.length, stepSeconds: median });
  }
  const again = preflight(abs, await preflightContext(s, abs, signal));
  return again.cells;
};

/** Queues every runnable cell of a draft sweep as a run. */
export async function launchSweep(s: HostServices, sweep: SweepRecord, signal?: AbortSignal): Promise<SweepRecord> {
  const spec = sweep.spec;
  await assertModelRunnable(spec.model);
  const ctx = await preflightContext(s, spec, signal);
  const pf = preflight(spec, ctx);
  const ok = pf.cells.filter((c): c is CellPreflight => c.availability.state === 'ok');
  if (ok.length === 0) throw new PeftLabError('SPEC_INVALID', `sweep "${sweep.name}": no cell can run (${pf.cells.map((c) => `${c.cell.label}: ${'reason' in c.availability ? c.availability.reason : ''}`).join('; ')})`);
  // A sweep written by hand (CLI) names folders and files directly: register them like the UI would.
  const ctxH = { s, signal: signal ?? new AbortController().signal, progress: () => undefined };
  const modelId = (await registerModel({ path: spec.model }, ctxH)).id;
  const ds = await registerDataset({ path: spec.dataset.path, format: spec.dataset.format }, ctxH);
  const root = path.join(s.dataDir, 'runs', `sweep-${sweep.id}`);
  s.store.runs.insertMany(sweep.id, ok.map((c) => {
    const outputDir = path.join(root, c.cell.key.replace(/[^A-Za-z0-9.-]+/g, '_'));
    return {
      cell: c.cell, label: c.cell.label, spec: cellRunSpec(spec, c.cell, outputDir), seed: c.cell.seed,
      modelId, datasetId: ds.id, datasetSha256: ds.sha256, templateText: JSON.stringify(spec.template),
      maxSteps: pf.maxSteps, trainableParams: c.trainableParams, allParams: c.allParams, outputDir,
    };
  }));
  s.store.sweeps.setStatus(sweep.id, 'queued');
  s.scheduler.refreshSweep(sweep.id);
  s.scheduler.tick();
  return s.store.sweeps.get(sweep.id)!;
}

const create: Handler<'sweeps/create'> = ({ spec, launch }, ctx) => createSweep(spec, launch, ctx);

/** Creates a sweep after its pre-flight (refused when no cell can run), launched or left as a draft. */
export async function createSweep(spec: SweepSpec, launch: boolean, { s, signal }: HandlerContext): Promise<SweepRecord> {
  const abs = absolutePaths(spec);
  const pf = preflight(abs, await preflightContext(s, abs, signal));
  if (!pf.cells.some((c) => c.availability.state === 'ok')) {
    throw new PeftLabError('SPEC_INVALID', `no cell of "${spec.name}" can run: ${pf.cells.map((c) => ('reason' in c.availability ? c.availability.reason : '')).filter(Boolean).join('; ')}`);
  }
  if (launch) await assertModelRunnable(abs.model);
  const sweep = s.store.sweeps.insert({ name: spec.name, spec: abs, status: 'draft' });
  s.bus.emit('sweep/updated', sweep);
  return launch ? launchSweep(s, sweep, signal) : sweep;
};

function getSweep(s: HostServices, id: number): SweepRecord {
  const sweep = s.store.sweeps.get(id);
  if (!sweep) throw new PeftLabError('BAD_ARGUMENT', `sweep ${id} does not exist`);
  return sweep;
}

export const sweepHandlers: Pick<HandlerMap, 'sweeps/preflight' | 'sweeps/probe' | 'sweeps/create' | 'sweeps/list' | 'sweeps/get' | 'sweeps/launch' | 'sweeps/stop'> = {
  'sweeps/preflight': runPreflight,
  'sweeps/probe': probe,
  'sweeps/create': create,
  'sweeps/list': (_p, { s }) => s.store.sweeps.list(),
  'sweeps/get': ({ id }, { s }) => ({ sweep: getSweep(s, id), runs: s.store.runs.list({ sweepId: id }) }),
  'sweeps/launch': async ({ id }, { s, signal }) => {
    const sweep = getSweep(s, id);
    if (sweep.status === 'draft') return launchSweep(s, sweep, signal);
    for (const run of s.store.runs.list({ sweepId: id })) {
      if (run.status === 'stopped' || run.status === 'interrupted') s.bus.runUpdated(s.store.runs.update(run.id, { status: 'queued', statusReason: 'queued again' }));
    }
    s.scheduler.refreshSweep(id);
    s.scheduler.tick();
    return getSweep(s, id);
  },
  'sweeps/stop': ({ id }, { s }) => {
    for (const run of s.store.runs.list({ sweepId: id })) if (run.status === 'running' || run.status === 'queued') s.scheduler.stop(run.id);
    return getSweep(s, id);
  },
};
