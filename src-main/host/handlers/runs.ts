// runs/*: list, detail, stop, resume; metrics/series: each series' overview read from SQLite (every point of a short
// series; the min/max buckets of a long one, so the read does not grow with the run) and downsampled with LTTB to
// `maxPoints`, so neither the host nor the renderer ever handles every point of every run. One request carries at
// most about SERIES_POINT_BUDGET points: a sweep of hundreds of runs gets fewer points per series (never fewer than
// MIN_SERIES_POINTS), so its chart window stays a few MB and a few hundred ms whatever the number of runs.
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
  // The library's LTTB can end one bucket short of the last row (e.g. 502 rows to 208): the last finite row is
  // the run's latest value, so it always ends the line.
  if (picked.length > 0 && picked[picked.length - 1] !== finite[finite.length - 1]) picked[picked.length - 1] = finite[finite.length - 1];
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (picked[0] !== first && !Number.isFinite(first[1])) picked.unshift(first);
  if (picked[picked.length - 1] !== last && !Number.isFinite(last[1])) picked.push(last);
  return picked;
}

export const SERIES_POINT_BUDGET = 20_000;
export const MIN_SERIES_POINTS = 50;

/** Points per series for a request of `series` series asking for `maxPoints` each. */
export function pointsPerSeries(series: number, maxPoints: number): number {
  return Math.min(maxPoints, Math.max(MIN_SERIES_POINTS, Math.floor(SERIES_POINT_BUDGET / Math.max(1, series))));
}

const series: Handler<'metrics/series'> = ({ runIds, sweepId, names, maxPoints }, { s }) => {
  const ids = new Set(runIds);
  if (sweepId !== undefined) for (const id of s.store.runs.idsOf(sweepId)) ids.add(id);
  const perSeries = pointsPerSeries(ids.size * names.length, maxPoints);
  const out: MetricSeries[] = [];
  for (const runId of ids) {
    for (const name of names) {
      // Twice the points wanted: the buckets' lows and highs give LTTB the envelope to choose from.
      const { rows, total, lastStep } = s.store.metrics.overview(runId, name, 2 * perSeries);
      out.push({ runId, name, total, lastStep, points: downsampleRows(rows, perSeries) });
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
