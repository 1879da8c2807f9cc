// `peft-lab study list|run`: the presets, or one preset's sweep run headless by an in-process host (the app's own
// host code) with progress on stderr, then its verdict table computed from the stored runs.
import type { StudyVariant } from '../../src-shared/domain/study-preset';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import { withHost } from '../cli/actions/sweep';
import { defaultDataDir } from '../cli/data-dir';
import { printJson, printLines } from '../cli/output';
import { presetListLines, verdictLines } from './format';
import { STUDY_PRESETS, studyPreset } from './registry';

export interface StudyRunOptions {
  quick?: boolean;
  dataDir?: string;
  data?: string;
  /** Updates per run instead of the variant's (to try a preset out). */
  steps?: number;
  /** Seeds instead of the variant's. */
  seeds?: number[];
  concurrency?: number;
  json?: boolean;
}

export function listStudies(o: { json?: boolean }): void {
  const list = STUDY_PRESETS.map((p) => p.info);
  if (o.json) printJson(list);
  else printLines(presetListLines(list));
}

/** The preset's sweep with the updates and seeds the person asked for instead. */
function withOverrides(spec: SweepSpec, steps: number | undefined, seeds: number[] | undefined): SweepSpec {
  let out = spec;
  if (steps) {
    const t = spec.training;
    out = { ...out, training: { ...t, maxSteps: steps, epochs: undefined, warmupSteps: Math.min(t.warmupSteps ?? 0, steps - 1), warmupRatio: undefined, evalEvery: t.evalEvery > steps ? 0 : t.evalEvery } };
  }
  if (seeds?.length) {
    const { seed: _s, ...axes } = out.axes;
    out = { ...out, training: { ...out.training, seed: seeds[0] }, axes: seeds.length > 1 ? { ...axes, seed: seeds } : axes };
  }
  return out;
}

export async function runStudy(name: string, o: StudyRunOptions): Promise<void> {
  studyPreset(name); // a wrong name fails before the host starts
  const variant: StudyVariant = o.quick ? 'quick' : 'full';
  const started = performance.now();
  const verdict = await withHost({ data: o.dataDir ?? o.data ?? defaultDataDir() }, async (hc, host) => {
    if (o.concurrency) await hc.request('settings/set', { concurrency: o.concurrency });
    const { spec } = await hc.request('studies/prepare', { preset: name as never, variant });
    const shown = new Map<number, string>();
    hc.on('run/updated', (r) => {
      const key = `${r.status}:${Math.floor(r.step / 10)}`;
      if (shown.get(r.id) === key) return;
      shown.set(r.id, key);
      process.stderr.write(`${r.label}: ${r.status} step ${r.step}/${r.maxSteps ?? '?'}${r.lastLoss !== null ? ` loss ${r.lastLoss.toFixed(4)}` : ''}\n`);
    });
    const sweep = await hc.request('sweeps/create', { spec: withOverrides(spec, o.steps, o.seeds), launch: true });
    process.stderr.write(`study "${spec.name}": sweep ${sweep.id}, ${sweep.counts.queued + sweep.counts.running} runs\n`);
    await host.services.scheduler.waitIdle();
    return hc.request('studies/verdict', { sweepId: sweep.id });
  });
  const minutes = (performance.now() - started) / 60_000;
  if (!verdict) throw new Error('the study sweep lost its preset tag');
  if (o.json) printJson({ ...verdict, minutes });
  else printLines([...verdictLines(verdict), `wall time: ${minutes.toFixed(1)} min`]);
  if (verdict.finishedRuns < verdict.totalRuns) process.exitCode = 1;
}
