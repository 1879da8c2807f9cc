// Which two outputs a rater judges next, blind: two different authors (runs, or the base model) on the same
// prompt, chosen among the pairs judged least so far (balanced coverage), sides randomised; a share of turns
// instead shows an earlier decided judgement of this rater again with the sides swapped (to measure position
// bias), never one of the rater's last two. The choice is a pure function of the state, seeded by it, so a reload
// shows the same pair.
import type { JudgementRecord } from '../domain/review';
import { hashKey, seededRandom } from './rng';

export interface PairCandidateSample {
  sampleId: number;
  promptId: number;
  /** Who wrote it: "base" or "run-<id>"; two samples of one author are never paired. */
  author: string;
}

export type PastJudgement = Omit<JudgementRecord, 'sweepId' | 'createdAt'>;

export interface NextPair {
  promptId: number;
  leftSampleId: number;
  rightSampleId: number;
  /** Set when this pair repeats an earlier judgement with the sides swapped. */
  repeatOf: number | null;
  /** How many times this pair of outputs was judged before (by anyone). */
  judgedBefore: number;
}

export interface PairingOptions {
  rater: string;
  /** Share of turns that repeat an earlier judgement swapped (default 0.1). */
  repeatShare?: number;
  seed?: string;
}

export const pairKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** Every unordered pair of samples with different authors on the same prompt. */
export function candidatePairs(samples: readonly PairCandidateSample[]): { promptId: number; a: number; b: number }[] {
  const byPrompt = new Map<number, PairCandidateSample[]>();
  for (const s of samples) {
    const list = byPrompt.get(s.promptId);
    if (list) list.push(s);
    else byPrompt.set(s.promptId, [s]);
  }
  const out: { promptId: number; a: number; b: number }[] = [];
  for (const [promptId, list] of [...byPrompt].sort((x, y) => x[0] - y[0])) {
    const sorted = [...list].sort((x, y) => x.sampleId - y.sampleId);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        if (sorted[i].author !== sorted[j].author) out.push({ promptId, a: sorted[i].sampleId, b: sorted[j].sampleId });
      }
    }
  }
  return out;
}

function repeatCandidate(history: readonly PastJudgement[], rater: string, live: Set<string>): PastJudgement | null {
  const mine = history.filter((j) => j.rater === rater);
  const repeated = new Set(mine.filter((j) => j.repeatOf !== null).map((j) => j.repeatOf));
  const eligible = mine.slice(0, Math.max(0, mine.length - 2))
    .filter((j) => j.repeatOf === null && j.verdict !== 'skip' && !repeated.has(j.id) && live.has(pairKey(j.leftSampleId, j.rightSampleId)));
  return eligible[0] ?? null;
}

export function nextPair(samples: readonly PairCandidateSample[], history: readonly PastJudgement[], o: PairingOptions): NextPair | null {
  const pairs = candidatePairs(samples);
  if (pairs.length === 0) return null;
  const counts = new Map<string, number>();
  for (const j of history) {
    const k = pairKey(j.leftSampleId, j.rightSampleId);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const mineSoFar = history.filter((j) => j.rater === o.rater).length;
  const rand = seededRandom(hashKey(`${o.seed ?? ''}|${o.rater}|${mineSoFar}|${history.length}`));
  if (rand() < (o.repeatShare ?? 0.1)) {
    const again = repeatCandidate(history, o.rater, new Set(pairs.map((p) => pairKey(p.a, p.b))));
    if (again) {
      return {
        promptId: again.promptId, leftSampleId: again.rightSampleId, rightSampleId: again.leftSampleId, repeatOf: again.id,
        judgedBefore: counts.get(pairKey(again.leftSampleId, again.rightSampleId)) ?? 0,
      };
    }
  }
  const fewest = Math.min(...pairs.map((p) => counts.get(pairKey(p.a, p.b)) ?? 0));
  const pool = pairs.filter((p) => (counts.get(pairKey(p.a, p.b)) ?? 0) === fewest);
  const pick = pool[Math.floor(rand() * pool.length)];
  const swap = rand() < 0.5;
  return {
    promptId: pick.promptId, leftSampleId: swap ? pick.b : pick.a, rightSampleId: swap ? pick.a : pick.b, repeatOf: null, judgedBefore: fewest,
  };
}
