// UnsortedSegmentSum on plain typed arrays, in one pass: out[s, ...] = sum of x[i, ...] over every i whose
// segment id is s. Ids outside [0, numSegments) are dropped (as TensorFlow does). This is the gradient of gather
// (embedding backprop); backend kernels (wasm-kernels.ts, cpu-kernels.ts) wrap it.
export type Values = Float32Array | Int32Array | Uint8Array;

export function emptyLike(values: Values, size: number): Values {
  const Ctor = values.constructor as new (n: number) => Values;
  return new Ctor(size);
}

export function segmentSumValues(
  x: Values,
  xShape: number[],
  ids: Values,
  idsRank: number,
  numSegments: number,
): { values: Values; shape: number[] } {
  const rowShape = xShape.slice(idsRank);
  const inner = rowShape.reduce((a, b) => a * b, 1); // elements per segment row
  const out = emptyLike(x, numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) out[dst + k] += x[src + k];
  }
  return { values: out, shape: [numSegments, ...rowShape] };
}
