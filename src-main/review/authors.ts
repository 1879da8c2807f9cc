// Who wrote each sample, and which sample of an author a review screen shows: the newest final sample of each
// (author, prompt). Authors are the base model ("base") and the runs ("run-<id>").
import type { RunRecord } from '../../src-shared/domain/records';
import type { SampleRecord } from '../../src-shared/domain/review';
import { playerKey } from '../../src-shared/domain/review';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import { targetSetLabel } from '../../src-shared/domain/sweep-spec';

export const authorOf = (s: Pick<SampleRecord, 'runId'>): string => playerKey(s.runId);

/** (author|promptId) → the newest final sample. */
export function currentSamples(samples: readonly SampleRecord[]): Map<string, SampleRecord> {
  const out = new Map<string, SampleRecord>();
  for (const s of samples) {
    if (s.meta.kind !== 'final') continue;
    const k = `${authorOf(s)}|${s.promptId}`;
    const prev = out.get(k);
    if (!prev || s.id > prev.id) out.set(k, s);
  }
  return out;
}

/** Each grid axis of a run as a readable value ("r=8", "attention q,v", "4-bit", ...). */
export function axisValues(run: RunRecord): Record<string, string> {
  const c = run.cell;
  return {
    method: c.method, r: `r=${c.r}`, targets: targetSetLabel(c.targets), bits: `${c.bits}-bit`,
    loraAlpha: `α=${c.loraAlpha}`, learningRate: `lr=${c.learningRate}`, seed: `seed ${c.seed}`,
  };
}

/** The axes a sweep varies, for effects and per-axis scores (seed replicates are noise, not a setting; lora_alpha
 *  counts only when it is an axis of its own, not when it follows r). */
export function effectAxes(spec: SweepSpec): string[] {
  const a = spec.axes;
  return [['method', a.method.length], ['r', a.r.length], ['targets', a.targets.length], ['bits', a.bits.length],
    ['loraAlpha', a.loraAlpha?.length ?? 0], ['learningRate', a.learningRate?.length ?? 0]]
    .filter(([, n]) => (n as number) > 1).map(([name]) => name as string);
}

export function labelOf(author: string, runs: ReadonlyMap<number, RunRecord>): string {
  if (author === 'base') return 'base model';
  return runs.get(Number(author.slice(4)))?.label ?? author;
}
