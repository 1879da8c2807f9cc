// Which stored sample a matrix cell shows: the newest final sample of its (column, prompt); checkpoint samples of
// the cell, newest per step, in step order. Live text (streamed before a sample is stored) is keyed the same way.
import type { MatrixSample } from '../../src-shared/domain/review-views';
import { playerKey } from '../../src-shared/domain/review';

export const cellKey = (column: string, promptId: number): string => `${column}|${promptId}`;

export interface CellSamples {
  final: MatrixSample | null;
  checkpoints: MatrixSample[];
}

export function indexSamples(samples: readonly MatrixSample[]): Map<string, CellSamples> {
  const out = new Map<string, CellSamples>();
  const ckpt = new Map<string, Map<number, MatrixSample>>();
  for (const s of samples) {
    const k = cellKey(playerKey(s.runId), s.promptId);
    let cell = out.get(k);
    if (!cell) out.set(k, (cell = { final: null, checkpoints: [] }));
    if (s.meta.kind === 'final') {
      if (!cell.final || s.id > cell.final.id) cell.final = s;
    } else {
      let bySteps = ckpt.get(k);
      if (!bySteps) ckpt.set(k, (bySteps = new Map()));
      const prev = bySteps.get(s.step ?? -1);
      if (!prev || s.id > prev.id) bySteps.set(s.step ?? -1, s);
    }
  }
  for (const [k, bySteps] of ckpt) out.get(k)!.checkpoints = [...bySteps.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
  return out;
}
