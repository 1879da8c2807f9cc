// runs/*: list, detail, stop, resume; metrics/series: paged from SQLite and downsampled (LTTB) per series so the
// renderer never holds every point of every run.
import { LTTB } from 'downsample';
import type { MetricSeries } from '../../../src-shared/protocol/api';
import { PeftLabError } from '../../../src-shared/errors';
import type { Handler, HandlerMap } from './types';

const resume: Handler<'runs/resume'> = ({ id }, { s }) => {
  const run = s.store.runs.get(id);
  if (!run) throw new PeftLabError('BAD_ARGUMENT', `run ${id} does not exist`);
  if (run.status !== 'interrupted' && run.status !== 'stopped') {
    throw new PeftLabError('BAD_ARGUMENT', `run ${id} is ${run.status}; only an interrupted or stopped run can be resumed`);
  }
  const rec = s.store.runs.update(id, { status: 'queued', statusReason: 'queued to resume from its last checkpoint' });
  s.store.runEvents.add(id, 'status:queued', { resume: true });
  s.bus.runUpdated(rec);
  s.scheduler.refreshSweep(rec.sweepId);
  s.scheduler.tick();
  return s.store.runs.get(id)!;
};

const series: Handler<'metrics/series'> = ({ runIds, names, maxPoints }, { s }) => {
  const out: MetricSeries[] = [];
  for (const runId of runIds) {
    for (const name of names) {
      const rows = s.store.metrics.series(runId, name);
      const picked = rows.length > maxPoints ? (LTTB(rows.map((r) => ({ x: r.step, y: r.value, r })), maxPoints) as unknown as { r: (typeof rows)[number] }[]).map((p) => p.r) : rows;
      out.push({
        runId, name, total: rows.length, lastStep: rows.length ? rows[rows.length - 1].step : null,
        points: picked.map((r) => [r.step, r.value, r.epoch, r.tokens]),
      });
    }
  }
  return out;
};

function getRun(s: Parameters<Handler<'runs/get'>>[1]['s'], id: number) {
  const run = s.store.runs.detail(id);
  if (!run) throw new PeftLabError('BAD_ARGUMENT', `run ${id} does not exist`);
  return run;
}

export const runHandlers: Pick<HandlerMap, 'runs/list' | 'runs/get' | 'runs/stop' | 'runs/resume' | 'metrics/series'> = {
  'runs/list': ({ sweepId }, { s }) => s.store.runs.list({ sweepId }),
  'runs/get': ({ id }, { s }) => getRun(s, id),
  'runs/stop': ({ id }, { s }) => {
    getRun(s, id);
    s.scheduler.stop(id);
    return s.store.runs.get(id)!;
  },
  'runs/resume': resume,
  'metrics/series': series,
};
