// Exports of a sweep's review: the summary table as CSV (RFC 4180) or Markdown (with the per-axis view and how
// each number was computed), and the whole sweep as JSON (configurations, metric series, prompts, samples,
// ratings, pairwise judgements and the summary). Used by the app (downloads) and `peft-lab export`.
import type { ExportFile, StudySummary, SummaryRow } from '../../src-shared/domain/review-views';
import { METRIC_NAMES } from '../../src-shared/domain/records';
import { PeftLabError } from '../../src-shared/errors';
import type { Store } from '../store/db';
import { stringify } from 'csv-stringify/sync';
import { buildSummary } from './summary';

type Column = [header: string, value: (r: SummaryRow) => string | number | null];

const fixed = (digits: number) => (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

export const SUMMARY_COLUMNS: Column[] = [
  ['run', (r) => r.label], ['method', (r) => r.method], ['r', (r) => r.r], ['targets', (r) => r.targets], ['bits', (r) => r.bits],
  ['lora_alpha', (r) => r.loraAlpha], ['learning_rate', (r) => r.learningRate], ['seed', (r) => r.seed],
  ['trainable_params', (r) => r.trainableParams], ['train_seconds', (r) => fixed(1)(r.trainSeconds)],
  ['peak_memory_bytes', (r) => r.peakMemoryBytes], ['base_weight_bytes', (r) => r.baseWeightBytes],
  ['final_train_loss', (r) => fixed(4)(r.finalTrainLoss)], ['val_loss', (r) => fixed(4)(r.valLoss)], ['perplexity', (r) => fixed(3)(r.perplexity)],
  ['mean_rating', (r) => fixed(2)(r.meanRating)], ['ratings', (r) => r.ratings], ['rouge_l', (r) => fixed(3)(r.rougeL)], ['bleu', (r) => fixed(2)(r.bleu)],
  ['pairwise_theta', (r) => fixed(3)(r.pairwise?.theta)], ['pairwise_ci_low', (r) => fixed(3)(r.pairwise?.lo)], ['pairwise_ci_high', (r) => fixed(3)(r.pairwise?.hi)],
  ['pairwise_elo', (r) => fixed(0)(r.pairwise?.elo)], ['example_output', (r) => r.exampleOutput],
];

export function summaryCsv(summary: StudySummary): string {
  const rows = summary.rows.map((row) => SUMMARY_COLUMNS.map(([, f]) => f(row) ?? ''));
  return stringify(rows, { header: true, columns: SUMMARY_COLUMNS.map(([h]) => h), record_delimiter: 'windows' });
}

const mdCell = (v: string | number | null): string => (v === null ? '—' : String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));

function mdTable(headers: string[], rows: (string | number | null)[][]): string[] {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

export function summaryMarkdown(summary: StudySummary): string {
  const out = [`# ${summary.name}: study summary`, ''];
  out.push(...mdTable(SUMMARY_COLUMNS.map(([h]) => h), summary.rows.map((r) => SUMMARY_COLUMNS.map(([, f]) => f(r)))), '');
  if (summary.effects.length) {
    out.push('## Which setting matters', '');
    const rows = summary.effects.map((e) => [e.axis, e.score,
      e.values.map((v) => `${v.value}: ${v.mean === null ? '—' : v.mean.toPrecision(4)}${v.std === null ? '' : ` ± ${v.std.toPrecision(2)}`} (n=${v.n})`).join('; '),
      e.range === null ? null : e.range.toPrecision(3), e.seedSpread === null ? null : e.seedSpread.toPrecision(3), e.withinSeedNoise ? 'smaller than the seed spread' : '']);
    out.push(...mdTable(['axis', 'score', 'mean ± std per value', 'range', 'seed spread', 'warning'], rows), '');
  }
  const b = summary.positionBias;
  out.push('## Blind pairwise review', '', `${summary.judgements} judgements by ${summary.raters.join(', ') || 'nobody yet'}. ` +
    `Left wins among decided judgements: ${b.leftShare === null ? '—' : `${(100 * b.leftShare).toFixed(1)}% of ${b.decided}`}; ` +
    `swapped repeats judged the same way: ${b.consistency === null ? '—' : `${(100 * b.consistency).toFixed(1)}% of ${b.repeats}`}.`, '');
  out.push('## Methods', '', ...Object.entries(summary.methods).map(([k, v]) => `- ${k}: ${v}`), '');
  return out.join('\n');
}

/** Everything stored about a sweep, for analysis elsewhere. */
export function sweepJson(store: Store, sweepId: number): unknown {
  const sweep = store.sweeps.get(sweepId);
  if (!sweep) throw new PeftLabError('BAD_ARGUMENT', `sweep ${sweepId} does not exist`);
  const runs = store.runs.list({ sweepId }).map((r) => store.runs.detail(r.id)!);
  return {
    format: 'peft-lab-sweep-export', version: 1, sweep,
    reviewSettings: store.sweeps.reviewSettingsOrDefault(sweepId),
    runs: runs.map((r) => ({ ...r, metrics: Object.fromEntries(METRIC_NAMES.map((n) => [n, store.metrics.series(r.id, n).map((p) => [p.step, p.value, p.epoch, p.tokens])])) })),
    prompts: store.reviewPrompts.list(sweepId),
    samples: store.samples.listBySweep(sweepId),
    ratings: store.ratings.listBySweep(sweepId),
    judgements: store.judgements.list(sweepId),
    summary: buildSummary(store, sweepId),
  };
}

export function exportSweep(store: Store, sweepId: number, format: 'csv' | 'md' | 'json'): ExportFile {
  const sweep = store.sweeps.get(sweepId);
  if (!sweep) throw new PeftLabError('BAD_ARGUMENT', `sweep ${sweepId} does not exist`);
  const stem = `${sweep.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'sweep'}-${sweepId}`;
  if (format === 'json') return { filename: `${stem}.json`, mime: 'application/json', content: JSON.stringify(sweepJson(store, sweepId), null, 2) };
  const summary = buildSummary(store, sweepId);
  if (format === 'csv') return { filename: `${stem}-summary.csv`, mime: 'text/csv', content: summaryCsv(summary) };
  return { filename: `${stem}-summary.md`, mime: 'text/markdown', content: summaryMarkdown(summary) };
}
