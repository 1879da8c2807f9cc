// review/summary and review/export: the study summary of a sweep, and its exports (CSV / Markdown of the summary,
// JSON of everything stored about the sweep) as file contents the renderer downloads.
import { exportSweep } from '../../review/export';
import { buildSummary } from '../../review/summary';
import { sweepOf } from './review';
import type { HandlerMap } from './types';

export const reviewSummaryHandlers: Pick<HandlerMap, 'review/summary' | 'review/export'> = {
  'review/summary': ({ sweepId }, { s }) => buildSummary(s.store, sweepOf(s, sweepId).id),
  'review/export': ({ sweepId, format }, { s }) => exportSweep(s.store, sweepOf(s, sweepId).id, format),
};
