// Turns one worker's messages into stored state: metrics (batched through the MetricWriter), the run's row
// (progress, ETA, memory, backend), artifacts and the event log; and the worker's end into the run's status.
// Pushes coalesced updates to every client.
import type { MetricPoint, RunRecord } from '../../../src-shared/domain/records';
import type { TrainEvent } from '../../../src-shared/domain/train-events';
import type { WorkerToHost } from '../../../src-shared/protocol/worker';
import type { WorkerVerdict } from './supervisor';
import type { HostServices } from '../services';
import { directoryBytes } from '../files';

const PERSIST_EVERY_MS = 1000;

export class RunMonitor {
  private recentStepSeconds: number[] = [];
  private tokensSoFar = 0;
  private lastPersist = 0;
  private patch: Parameters<HostServices['store']['runs']['update']>[1] = {};

  constructor(private readonly s: HostServices, private readonly runId: number) {}

  onMessage(m: WorkerToHost): void {
    if (m.kind === 'event') this.onEvent(m.event);
    else if (m.kind === 'resources') this.setPeak(m.peakRssBytes);
    else if (m.kind === 'versions') this.persist({ libraryVersions: m.versions }, true);
  }

  onExit(v: WorkerVerdict): RunRecord {
    this.s.metrics.flush();
    const finishedAt = new Date().toISOString();
    const base = { ...this.patch, etaSeconds: null };
    let rec: RunRecord;
    if (v.status === 'finished') rec = this.s.store.runs.update(this.runId, { ...base, status: 'finished', statusReason: null, error: null, finishedAt });
    else if (v.status === 'failed') rec = this.s.store.runs.update(this.runId, { ...base, status: 'failed', statusReason: v.error.message, error: v.error, finishedAt });
    else if (v.status === 'stopped') rec = this.s.store.runs.update(this.runId, { ...base, status: 'stopped', statusReason: 'stopped by you; resume continues from the last checkpoint' });
    else rec = this.s.store.runs.update(this.runId, { ...base, status: 'interrupted', statusReason: v.reason });
    this.s.store.runEvents.add(this.runId, `status:${rec.status}`, { reason: rec.statusReason });
    this.patch = {};
    this.s.bus.runUpdated(rec);
    return rec;
  }

  private onEvent(e: TrainEvent): void {
    switch (e.type) {
      case 'start':
        this.tokensSoFar = e.resumedFrom ? this.s.store.metrics.at(this.runId, 'train_loss', e.resumedFrom)?.tokens ?? 0 : 0;
        this.s.store.runEvents.add(this.runId, 'start', e);
        this.persist({
          backend: e.backend, device: e.device, trainableParams: e.trainableParams, allParams: e.allParams, maxSteps: e.maxSteps,
          baseFormat: e.baseFormat, baseWeightBytes: e.baseWeightBytes, baseBitsPerWeight: e.baseBitsPerWeight,
        }, true);
        return;
      case 'step':
        return this.onStep(e);
      case 'eval':
        this.pushMetrics([
          { name: 'val_loss', step: e.step, value: e.valLoss, epoch: null, tokens: this.tokensSoFar },
          ...(e.charAccuracy === undefined ? [] : [{ name: 'char_accuracy' as const, step: e.step, value: e.charAccuracy, epoch: null, tokens: this.tokensSoFar }]),
        ]);
        this.s.store.runEvents.add(this.runId, 'eval', e);
        this.persist({ valLoss: e.valLoss }, true);
        return;
      case 'checkpoint':
        this.s.store.artifacts.add({ runId: this.runId, kind: 'checkpoint', step: e.step, path: e.path, bytes: directoryBytes(e.path) });
        this.s.store.runEvents.add(this.runId, 'checkpoint', e);
        return;
      case 'finished':
        this.s.store.artifacts.add({ runId: this.runId, kind: 'adapter', step: e.step, path: e.adapterPath, bytes: directoryBytes(e.adapterPath, ['adapter_model.safetensors', 'adapter_config.json']) });
        this.s.store.runEvents.add(this.runId, 'finished', e);
        this.persist({ lastLoss: e.finalLoss, valLoss: e.valLoss }, true);
        return;
      case 'failed':
        this.s.store.runEvents.add(this.runId, 'failed', e);
        return;
    }
  }

  private onStep(e: Extract<TrainEvent, { type: 'step' }>): void {
    this.tokensSoFar += e.tokens;
    const t = this.tokensSoFar;
    this.pushMetrics([
      { name: 'train_loss', step: e.step, value: e.loss, epoch: e.epoch, tokens: t },
      { name: 'lr', step: e.step, value: e.lr, epoch: e.epoch, tokens: t },
      { name: 'grad_norm', step: e.step, value: e.gradNorm, epoch: e.epoch, tokens: t },
      { name: 'tokens_per_second', step: e.step, value: e.tokensPerSecond, epoch: e.epoch, tokens: t },
    ]);
    this.recentStepSeconds.push(e.seconds);
    if (this.recentStepSeconds.length > 20) this.recentStepSeconds.shift();
    const mean = this.recentStepSeconds.reduce((a, b) => a + b, 0) / this.recentStepSeconds.length;
    const maxSteps = this.patch.maxSteps ?? this.s.store.runs.get(this.runId)?.maxSteps ?? null;
    this.persist({
      step: e.step, lastLoss: e.loss, epoch: e.epoch, tokensPerSecond: e.tokensPerSecond,
      etaSeconds: maxSteps ? Math.max(0, maxSteps - e.step) * mean : null,
    }, false);
  }

  private pushMetrics(points: MetricPoint[]): void {
    this.s.metrics.push(this.runId, points);
    this.s.bus.runMetrics(this.runId, points);
  }

  private setPeak(bytes: number): void {
    if (bytes > (this.patch.peakMemoryBytes ?? 0)) this.patch.peakMemoryBytes = bytes;
  }

  /** Row updates are written at most once a second (and always for `now`); clients get every one, coalesced. */
  private persist(p: Parameters<HostServices['store']['runs']['update']>[1], now: boolean): void {
    Object.assign(this.patch, p);
    const t = Date.now();
    if (!now && t - this.lastPersist < PERSIST_EVERY_MS) {
      const current = this.s.store.runs.get(this.runId);
      if (current) this.s.bus.runUpdated({ ...current, ...(this.patch as Partial<RunRecord>) });
      return;
    }
    this.lastPersist = t;
    this.s.bus.runUpdated(this.s.store.runs.update(this.runId, this.patch));
  }
}
