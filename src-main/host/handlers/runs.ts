// runs/*: list, detail, stop, resume; metrics/series: each series' overview read from SQLite (every point of a short
// series; the min/max buckets of a long one, so the read does not grow with the run) and downsampled with LTTB to
// `maxPoints`, so neither the host nor the renderer ever handles every point of every run.
import { createLTTB } from 'downsample';
import type { MetricSeries } from '../../../src-shared/protocol/api';
import type { BucketPoint } from '../../store/repos/metrics';
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

const lttb = createLTTB<BucketPoint>({ x: 0, y: 1 });

/** LTTB to `maxPoints` over the finite rows (a NaN would poison its areas), keeping the first and last row. */
export function downsampleRows(rows: BucketPoint[], maxPoints: number): BucketPoint[] {
  if (rows.length <= maxPoints) return rows;
  const finite = rows.filter((r) => Number.isFinite(r[1]));
  const picked = finite.length > maxPoints ? (lttb(finite, maxPoints) as BucketPoint[]) : finite;
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (picked[0] !== first && !Number.isFinite(first[1])) picked.unshift(first);
  if (picked[picked.length - 1] !== last && !Number.isFinite(last[1])) picked.push(last);
  return picked;
}

const series: Handler<'metrics/series'> = ({ runIds, sweepId, names, maxPoints }, { s }) => {
  const ids = [...runIds];
  if (sweepId !== undefined) for (const r of s.store.runs.list({ sweepId })) if (!ids.includes(r.id)) ids.push(r.id);
  const out: MetricSeries[] = [];
  for (const runId of ids) {
    for (const name of names) {
      // Twice the points wanted: the buckets' lows and highs give LTTB the envelope to choose from.
      const { rows, total, lastStep } = s.store.metrics.overview(runId, name, 2 * maxPoints);
      out.push({ runId, name, total, lastStep, points: downsampleRows(rows, maxPoints) });
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
