// A study sweep's verdict from what is stored: its finished runs (validation and final training loss, the
// char_accuracy series, PEFT's trainable count) and the Bradley-Terry scores of the blind pairwise review, reduced
// to one table row per configuration and one outcome per claim of the published finding.
import type { StudyTableRow, StudyVerdict } from '../../src-shared/domain/study-preset';
import { targetSetLabel } from '../../src-shared/domain/sweep-spec';
import { usesRankAndTargets } from '../../src-shared/domain/grid';
import { PeftLabError } from '../../src-shared/errors';
import { buildSummary } from '../review/summary';
import type { Store } from '../store/db';
import { Judge } from './judge';
import { studyPreset } from './registry';
import type { StudyMetric, StudyRun } from './types';

/** The sweep's finished runs as verdicts read them. */
export function collectStudyRuns(store: Store, sweepId: number): { runs: StudyRun[]; total: number } {
  const all = store.runs.list({ sweepId });
  const finished = all.filter((r) => r.status === 'finished');
  const judged = store.judgements.list(sweepId).length > 0;
  const theta = judged ? new Map(buildSummary(store, sweepId).rows.map((row) => [row.runId, row.pairwise?.theta ?? null])) : new Map<number | null, number | null>();
  const runs = finished.map((r): StudyRun => ({
    runId: r.id, cell: r.cell, label: r.label, status: r.status, trainableParams: r.trainableParams, valLoss: r.valLoss, trainLoss: r.lastLoss,
    charAccuracy: store.metrics.series(r.id, 'char_accuracy').filter((p) => Number.isFinite(p.value)).map((p) => ({ step: p.step, value: p.value })),
    pairwiseTheta: theta.get(r.id) ?? null,
  }));
  return { runs, total: all.length };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** One row per configuration (seeds averaged), in grid order. */
export function tableRows(runs: readonly StudyRun[], metrics: readonly StudyMetric[]): StudyTableRow[] {
  const groups = new Map<string, StudyRun[]>();
  for (const r of runs) {
    const k = r.cell.key.replace(/\|s\d+$/, '');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const c = g[0].cell;
    const ranked = usesRankAndTargets(c.method);
    return {
      label: g[0].label.replace(/ · seed \d+$/, ''), method: c.method, r: ranked ? c.r : null, targets: ranked ? targetSetLabel(c.targets) : null, bits: c.bits,
      trainableParams: g[0].trainableParams, runs: g.length,
      values: Object.fromEntries(metrics.map((m) => [m.name, mean(g.map((r) => m.of(r)).filter((v): v is number => v !== null && Number.isFinite(v)))])),
    };
  });
}

/** The verdict of a sweep built from a study preset, from `runs` (tests pass synthetic ones). */
export function verdictOf(sweep: { id: number; spec: { study?: { preset: string; variant: 'quick' | 'full' } } }, runs: StudyRun[], total: number): StudyVerdict {
  const ref = sweep.spec.study;
  if (!ref) throw new PeftLabError('BAD_ARGUMENT', `sweep ${sweep.id} was not built from a study preset (its spec has no "study")`);
  const preset = studyPreset(ref.preset);
  const metrics = preset.metrics(runs);
  const judge = new Judge(runs, metrics);
  const claims = preset.claims(runs, judge, metrics);
  return {
    sweepId: sweep.id, preset: preset.info.id, variant: ref.variant, name: preset.info.name, question: preset.info.question,
    finding: preset.info.finding, claims, noise: judge.basis(), metrics: metrics.map((m) => m.name), rows: tableRows(runs, metrics),
    finishedRuns: runs.length, totalRuns: total,
    line: `${preset.info.name}: ${claims.map((c) => `${c.outcome} — ${c.claim} (${c.metric})`).join('; ')}`,
  };
}

/** The verdict of a stored sweep; null when the sweep did not come from a study preset. */
export function studyVerdict(store: Store, sweepId: number): StudyVerdict | null {
  const sweep = store.sweeps.get(sweepId);
  if (!sweep) throw new PeftLabError('BAD_ARGUMENT', `sweep ${sweepId} does not exist`);
  if (!sweep.spec.study) return null;
  const { runs, total } = collectStudyRuns(store, sweepId);
  return verdictOf(sweep, runs, total);
}
