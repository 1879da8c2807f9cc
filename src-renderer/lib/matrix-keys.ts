// The generation matrix's keyboard: arrows or h/j/k/l move between cells, 1–5 score the output, 0 clears the
// score, i / f / r / t toggle the flags (incoherent, factual error, repetition, truncated), Enter edits the note.
import type { ReviewFlag } from '../../src-shared/domain/review';

export type MatrixAction =
  | { kind: 'move'; dRow: number; dCol: number }
  | { kind: 'score'; score: number | null }
  | { kind: 'flag'; flag: ReviewFlag }
  | { kind: 'note' };

export const FLAG_KEYS: Record<string, ReviewFlag> = { i: 'incoherent', f: 'factual-error', r: 'repetition', t: 'truncated' };

export const FLAG_LABELS: Record<ReviewFlag, string> = {
  incoherent: 'incoherent', 'factual-error': 'factual error', repetition: 'repetition', truncated: 'truncated',
};

const MOVES: Record<string, [number, number]> = {
  ArrowUp: [-1, 0], k: [-1, 0], ArrowDown: [1, 0], j: [1, 0], ArrowLeft: [0, -1], h: [0, -1], ArrowRight: [0, 1], l: [0, 1],
};

export function matrixAction(key: string, mods: { ctrl: boolean; alt: boolean; meta: boolean }): MatrixAction | null {
  if (mods.ctrl || mods.alt || mods.meta) return null;
  const move = MOVES[key];
  if (move) return { kind: 'move', dRow: move[0], dCol: move[1] };
  if (/^[1-5]$/.test(key)) return { kind: 'score', score: Number(key) };
  if (key === '0') return { kind: 'score', score: null };
  if (FLAG_KEYS[key]) return { kind: 'flag', flag: FLAG_KEYS[key] };
  if (key === 'Enter') return { kind: 'note' };
  return null;
}

/** The cursor after a move, kept inside rows × cols. */
export function moveCursor(at: { row: number; col: number }, a: { dRow: number; dCol: number }, rows: number, cols: number): { row: number; col: number } {
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
  return { row: clamp(at.row + a.dRow, rows), col: clamp(at.col + a.dCol, cols) };
}
