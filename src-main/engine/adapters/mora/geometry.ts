// The sizes MoRA derives from a module's shape (peft-spec §3.1, §3.3; MoRA fork `LoraLayer.update_layer`,
// `_apply_mora`): the square size r̂ and how the n inputs fold onto r̂ and r̂ unfold onto the m outputs.
// Legend: n in_features, m out_features, r the configured rank, R = r̂ the side of the square matrix M,
//         Bk = ⌈n/R⌉ input chunks, p = Bk·R − n wrap-around padding.

/** r̂ = ⌊√((n + m)·r) + 0.5⌋ in double precision; for type 6 rounded down to even (the half-split rotation). */
export function moraRank(n: number, m: number, r: number, even: boolean): number {
  const rHat = Math.floor(Math.sqrt((n + m) * r) + 0.5);
  return even ? 2 * Math.floor(rHat / 2) : rHat;
}

export interface MoraGeometry {
  n: number;
  m: number;
  R: number;
  /** ⌈n/R⌉: chunks of the wrap-padded input. */
  Bk: number;
  /** Bk·R − n: inputs appended again at the end (x̃_j = x_{j mod n}). */
  p: number;
  /** ⌊n/R⌋ and n mod R: grouped sum uses ρIn groups of qIn + 1 inputs, then R − ρIn groups of qIn. */
  qIn: number;
  rhoIn: number;
  /** ⌊m/R⌋ and m mod R: repeat-interleave repeats the first ρOut entries qOut + 1 times, the rest qOut times. */
  qOut: number;
  rhoOut: number;
}

export function moraGeometry(n: number, m: number, R: number): MoraGeometry {
  const Bk = Math.ceil(n / R);
  return { n, m, R, Bk, p: Bk * R - n, qIn: Math.floor(n / R), rhoIn: n % R, qOut: Math.floor(m / R), rhoOut: m % R };
}

/** Index i of the padded input reads input i mod n, for i < Bk·R. */
export function wrapIndices(g: MoraGeometry): Int32Array {
  return Int32Array.from({ length: g.Bk * g.R }, (_, i) => i % g.n);
}

/** Output t reads entry t mod `period` (tile; type 6 tiles the whole Bk·R vector). */
export function tileIndices(m: number, period: number): Int32Array {
  return Int32Array.from({ length: m }, (_, t) => t % period);
}

/** Contiguous groups of `total` items over R slots: the first total mod R groups hold ⌊total/R⌋ + 1 items. */
export function groupOf(total: number, R: number): Int32Array {
  const q = Math.floor(total / R);
  const rho = total % R;
  const big = rho * (q + 1);
  return Int32Array.from({ length: total }, (_, j) => (j < big ? Math.floor(j / (q + 1)) : rho + Math.floor((j - big) / q)));
}
