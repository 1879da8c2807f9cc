// Every request handler of the host, one map (the dispatcher looks methods up here; nothing switches on names).
import { appHandlers } from './app';
import { datasetHandlers } from './datasets';
import { hubHandlers } from './hub';
import { modelHandlers } from './models';
import { reviewHandlers } from './review';
import { reviewPairHandlers } from './review-pairs';
import { reviewSummaryHandlers } from './review-summary';
import { runHandlers } from './runs';
import { sweepHandlers } from './sweeps';
import { studyHandlers } from '../../studies/handlers';
import type { HandlerMap } from './types';

export const handlers: HandlerMap = {
  ...appHandlers, ...modelHandlers, ...datasetHandlers, ...sweepHandlers, ...runHandlers, ...reviewHandlers, ...reviewPairHandlers, ...reviewSummaryHandlers,
  ...studyHandlers,
  ...hubHandlers,
};
