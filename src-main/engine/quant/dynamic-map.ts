// bitsandbytes' signed 8-bit dynamic map, `create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)`
// (bitsandbytes `functional.py`; peft-spec §2.4), used by double quantisation of the absmax vector, and the
// nearest-value search `quantize_blockwise` performs with it (argmin of |u − map|; a tie takes the lower index).
//
// Construction, in float32 as torch does it: for i = 0…6, 2^i + 1 points of linspace(0.1, 1) (torch's float32
// linspace: start + step·k for the first half, end − step·(n−1−k) for the rest), their 2^i midpoints
// (b_k + b_{k+1}) / 2, scaled by 10^(i−6) with both signs; then 0 and +1.0; sorted ascending.

let cached: Float32Array | null = null;

/** 10^(i−6) for i = 0…6, as the decimal literals Python's `10 ** (i − 6)` produces. */
const DECADES = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];

function linspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const f = Math.fround;
  const step = f(f(f(end) - f(start)) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let k = 0; k < steps; k++) {
    out[k] = k < halfway ? f(f(start) + f(step * k)) : f(f(end) - f(step * (steps - k - 1)));
  }
  return out;
}

/** The 256 values, ascending (a fresh copy). */
export function signedDynamicMap(): Float32Array {
  if (cached === null) {
    const f = Math.fround;
    const values: number[] = [];
    for (let i = 0; i < 7; i++) {
      const b = linspaceF32(0.1, 1, 2 ** i + 1);
      const scale = f(DECADES[i]); // torch multiplies a float32 tensor by the scalar in float32
      for (let k = 0; k + 1 < b.length; k++) {
        const mean = f(f(b[k] + b[k + 1]) / 2);
        values.push(f(scale * mean), f(-scale * mean));
      }
    }
    values.push(0, 1);
    cached = Float32Array.from(values.sort((a, b) => a - b));
  }
  return cached.slice();
}

/**
 * Index of the map value nearest to u (the map is ascending), comparing float32 distances as torch's argmin
 * does; on a tie the lower index wins.
 */
export function nearestIndex(map: Float32Array, u: number): number {
  let lo = 0;
  let hi = map.length; // first index with map[i] >= u
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (map[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return 0;
  if (lo === map.length) return map.length - 1;
  const below = Math.fround(Math.abs(Math.fround(u - map[lo - 1])));
  const above = Math.fround(Math.abs(Math.fround(map[lo] - u)));
  return above < below ? lo : lo - 1;
}
