// The shape of a request handler: validated params in, typed result out, with the host's services, a cancel
// signal and a progress callback.
import type { z } from 'zod';
import type { Method, ParamSchemas, ResultOf } from '../../../src-shared/protocol/api';
import type { HostServices } from '../services';

export interface HandlerContext {
  s: HostServices;
  signal: AbortSignal;
  progress(p: unknown): void;
}

export type Handler<K extends Method> = (params: z.output<(typeof ParamSchemas)[K]>, ctx: HandlerContext) => Promise<ResultOf<K>> | ResultOf<K>;

export type HandlerMap = { [K in Method]: Handler<K> };
