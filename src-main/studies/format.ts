// A study verdict and the preset list as text (the CLI's output): the question, the published finding, one row per
// configuration with PEFT's trainable count and the measured metrics, the noise basis, and one line per claim.
import type { StudyPresetInfo, StudyVerdict } from '../../src-shared/domain/study-preset';

const num = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const DIGITS: Record<string, number> = { 'pairwise θ': 2, 'char accuracy (final)': 3, 'char accuracy (mean over evals)': 3 };

export function verdictTable(v: StudyVerdict): string[] {
  const width = Math.max(13, ...v.rows.map((r) => r.label.length));
  const cols = v.metrics.map((m) => Math.max(m.length, 8));
  const head = [`${'configuration'.padEnd(width)}`, 'trainable'.padStart(10), 'runs'.padStart(4), ...v.metrics.map((m, i) => m.padStart(cols[i]))].join('  ');
  return [head, ...v.rows.map((r) => [
    r.label.padEnd(width), (r.trainableParams?.toLocaleString('en-US') ?? '—').padStart(10), String(r.runs).padStart(4),
    ...v.metrics.map((m, i) => num(r.values[m] ?? null, DIGITS[m] ?? 4).padStart(cols[i])),
  ].join('  '))];
}

export function verdictLines(v: StudyVerdict): string[] {
  return [
    `${v.name} (${v.variant}) — ${v.question}`,
    `published: ${v.finding.text}`,
    `  ${v.finding.citation} ${v.finding.url}`,
    '',
    ...verdictTable(v),
    '',
    `${v.finishedRuns} of ${v.totalRuns} runs finished; ${v.noise.text}`,
    ...v.claims.map((c) => `${c.outcome.toUpperCase()}: ${c.claim} [${c.metric}] — ${c.measured}`),
    '',
    `verdict: ${v.line}`,
  ];
}

export function presetListLines(list: readonly StudyPresetInfo[]): string[] {
  return list.flatMap((p) => [
    `${p.id} — ${p.name}`,
    `  question: ${p.question}`,
    `  grid: ${p.grid}`,
    `  metrics: ${p.metrics.join(', ')}`,
    `  published: ${p.finding.text} (${p.finding.citation})`,
    `  quick: ${p.variants.quick.runs} runs × ${p.variants.quick.steps} updates · full: ${p.variants.full.runs} runs × ${p.variants.full.steps} updates (seeds ${p.variants.full.seeds.join(', ')})`,
    '',
  ]);
}
