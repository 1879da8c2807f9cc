// The CPU ceiling (issue #8, target 2): float32 matrix products at the training step's sizes and at 512³/1024³ by
// (a) a native multi-threaded BLAS sgemm measured by this bench itself (numpy's, through python3, when it is
// installed: the reference figure of ../shared/reference/platform-notes.md), (b) ONNX Runtime's MLAS sgemm as the
// wasm backend calls it (native-matmul.ts), and (c) tfjs-wasm's own kernel (XNNPACK, one thread). Run in a child
// process of its own by bench.ts (`tsx scripts/bench-sgemm.ts` prints one JSON line).
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src-main/engine/backends/index';
import { nativeMatmul } from '../src-main/engine/backends/native-matmul';
import { setNativeMatmul } from '../src-main/engine/backends/wasm-matmul';
import { B, CONFIG, T, median } from './bench-model';

export interface SgemmRow {
  shape: string;
  flops: number;
  numpy: number | null;
  onnxruntime: number | null;
  wasm: number;
}

export interface SgemmResult {
  rows: SgemmRow[];
  numpyNote: string;
  onnxruntimeNote: string;
}

/** [n, k, m]: (n, k)·(k, m). The step's products (forward shapes) and two square ones. */
const N = B * T;
const SHAPES: [number, number, number][] = [
  [N, CONFIG.hidden_size, CONFIG.hidden_size], [N, CONFIG.hidden_size, CONFIG.intermediate_size],
  [N, CONFIG.intermediate_size, CONFIG.hidden_size], [N - B, CONFIG.hidden_size, CONFIG.vocab_size],
  [512, 512, 512], [1024, 1024, 1024],
];
const REPEATS = 7;

const gflops = (flops: number, seconds: number) => flops / seconds / 1e9;

function numpyRates(): { rates: (number | null)[]; note: string } {
  const code = `
import json, sys, time
import numpy as np
out = []
for n, k, m in json.loads(sys.argv[1]):
    a = np.random.rand(n, k).astype(np.float32); b = np.random.rand(k, m).astype(np.float32)
    a @ b
    ts = []
    for _ in range(${REPEATS}):
        t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
    out.append(sorted(ts)[len(ts) // 2])
print(json.dumps({"seconds": out, "numpy": np.__version__}))
`;
  const r = spawnSync('python3', ['-c', code, JSON.stringify(SHAPES)], { encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) return { rates: SHAPES.map(() => null), note: `numpy unavailable (${(r.stderr || r.error?.message || 'no output').trim().split('\n').pop()})` };
  const parsed = JSON.parse(line) as { seconds: number[]; numpy: string };
  return { rates: parsed.seconds.map((s, i) => gflops(2 * SHAPES[i].reduce((p, d) => p * d, 1), s)), note: `numpy ${parsed.numpy} (its BLAS, all cores)` };
}

function timeSync(fn: () => void): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    fn();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

async function main(): Promise<void> {
  const np = numpyRates();
  const loaded = nativeMatmul();
  await useBackend('wasm');
  setNativeMatmul(false);
  const rows: SgemmRow[] = [];
  for (const [i, [n, k, m]] of SHAPES.entries()) {
    const flops = 2 * n * k * m;
    let ort: number | null = null;
    if ('native' in loaded) {
      const a = Float32Array.from({ length: n * k }, Math.random);
      const b = Float32Array.from({ length: k * m }, Math.random);
      const y = new Float32Array(n * m);
      ort = gflops(flops, timeSync(() => loaded.native.gemm(a, [n, k], b, [k, m], false, false, y)));
    }
    const [ta, tb] = [tf.randomNormal([n, k]), tf.randomNormal([k, m])];
    const wasmSeconds = timeSync(() => tf.tidy(() => { tf.matMul(ta, tb).dataSync(); }));
    tf.dispose([ta, tb]);
    rows.push({ shape: `${n}×${k}×${m}`, flops, numpy: np.rates[i], onnxruntime: ort, wasm: gflops(flops, wasmSeconds) });
  }
  const result: SgemmResult = { rows, numpyNote: np.note, onnxruntimeNote: 'native' in loaded ? loaded.native.describe : loaded.reason };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function printSgemm(r: SgemmResult): void {
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(1));
  console.log(`\nfloat32 matrix products, GFLOP/s (median of ${REPEATS}); native reference: ${r.numpyNote}; wasm's native path: ${r.onnxruntimeNote}`);
  console.log('shape (n×k×m)        numpy sgemm  ONNX Runtime  tfjs-wasm  ORT/numpy  wasm/numpy  ORT/wasm');
  for (const row of r.rows) {
    const ratio = (a: number | null, b: number | null) => (a === null || b === null ? '—' : (a / b).toFixed(2));
    console.log([row.shape.padEnd(20), f(row.numpy).padStart(11), f(row.onnxruntime).padStart(13), f(row.wasm).padStart(10),
      ratio(row.onnxruntime, row.numpy).padStart(10), ratio(row.wasm, row.numpy).padStart(11), ratio(row.onnxruntime, row.wasm).padStart(9)].join(' '));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
