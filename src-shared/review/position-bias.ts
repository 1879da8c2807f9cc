// How much the side an output is shown on sways a rater: the share of left wins among decided judgements (0.5 =
// no bias), and, over pairs shown again with the sides swapped, how often the same output won again (a tie
// repeated as a tie counts as consistent; a skip on either side leaves the pair out).
import type { Verdict } from '../domain/review';

export interface JudgedPair {
  id: number;
  leftSampleId: number;
  rightSampleId: number;
  verdict: Verdict;
  repeatOf: number | null;
}

export interface PositionBias {
  decided: number;
  leftWins: number;
  /** leftWins / decided; null without decided judgements. */
  leftShare: number | null;
  repeats: number;
  consistent: number;
  /** consistent / repeats; null without usable repeats. */
  consistency: number | null;
}

/** The sample that won (null: tie; undefined: skipped). */
function winner(j: JudgedPair): number | null | undefined {
  if (j.verdict === 'left') return j.leftSampleId;
  if (j.verdict === 'right') return j.rightSampleId;
  if (j.verdict === 'tie') return null;
  return undefined;
}

export function positionBias(judgements: readonly JudgedPair[]): PositionBias {
  const decided = judgements.filter((j) => j.verdict === 'left' || j.verdict === 'right');
  const leftWins = decided.filter((j) => j.verdict === 'left').length;
  const byId = new Map(judgements.map((j) => [j.id, j]));
  let repeats = 0;
  let consistent = 0;
  for (const j of judgements) {
    const first = j.repeatOf === null ? undefined : byId.get(j.repeatOf);
    if (!first) continue;
    const a = winner(first);
    const b = winner(j);
    if (a === undefined || b === undefined) continue;
    repeats++;
    if (a === b) consistent++;
  }
  return {
    decided: decided.length, leftWins, leftShare: decided.length ? leftWins / decided.length : null,
    repeats, consistent, consistency: repeats ? consistent / repeats : null,
  };
}
