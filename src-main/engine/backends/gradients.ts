// Gradient functions that @tensorflow/tfjs 4.22 lacks or gets wrong, for every backend (gradients are composed of
// ops, so they run wherever the ops run). Found by ops.test.ts:
// - BatchMatMul with broadcast batch dims ((B,T,C) @ (C,O), the usual linear layer): tfjs returns a gradient for
//   the broadcast input with the broadcast shape and fails "gradient of input 'b' has shape ...". Reduced here.
// - StridedSlice and TopK: no gradient at all. Both scatter dy back to the positions the forward op picked,
//   found by running the same op on an iota (0..n-1) tensor, and summed with unsortedSegmentSum.
// - Greater, Less, LessEqual, Equal, NotEqual and the logical ops: no gradient, so `where(greater(x, 0), x, y)`
//   cannot be differentiated with respect to x. They are piecewise constant: zero gradient (as GreaterEqual has).
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs';

/** Sums a broadcast gradient back to `shape` (the shape of the input it belongs to). */
function reduceToShape(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, grad.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

const batchMatMulGrad: GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const g = dy as tf.Tensor;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => tf.matMul(g, b, false, true);
      db = () => tf.matMul(a, g, true, false);
    } else if (!transposeA && transposeB) {
      da = () => tf.matMul(g, b, false, false);
      db = () => tf.matMul(g, a, true, false);
    } else if (transposeA && !transposeB) {
      da = () => tf.matMul(b, g, false, true);
      db = () => tf.matMul(a, g, false, false);
    } else {
      da = () => tf.matMul(b, g, true, true);
      db = () => tf.matMul(g, a, true, true);
    }
    return { a: () => reduceToShape(da(), a.shape), b: () => reduceToShape(db(), b.shape) };
  },
};

/** dx = dy scattered to the flat positions `picked` (an int32 tensor of flat indices into x, one per dy element). */
function scatterBack(dy: tf.Tensor, picked: tf.Tensor, xShape: number[]): tf.Tensor {
  const size = tf.util.sizeFromShape(xShape);
  return tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy, [-1]), tf.reshape(picked, [-1]), size), xShape);
}

const stridedSliceGrad: GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [x] = saved;
    const a = attrs as unknown as {
      begin: number[]; end: number[]; strides: number[]; beginMask: number; endMask: number;
      ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
    };
    return {
      x: () => {
        const iota = tf.reshape(tf.range(0, x.size, 1, 'int32'), x.shape);
        const picked = tf.stridedSlice(iota, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask,
          a.newAxisMask, a.shrinkAxisMask);
        return scatterBack(dy as tf.Tensor, picked, x.shape);
      },
    };
  },
};

const topKGrad: GradConfig = {
  kernelName: 'TopK',
  inputsToSave: ['x'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const [x, indices] = saved; // x (..., n), indices (..., k)
    const dValues = Array.isArray(dys) ? dys[0] : dys;
    return {
      x: () => {
        const n = x.shape[x.shape.length - 1];
        const k = indices.shape[indices.shape.length - 1];
        const rows = x.size / n;
        const rowStart = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(n, 'int32')).reshape([rows, 1]);
        const flat = tf.add(tf.reshape(indices, [rows, k]), rowStart); // (rows, k) flat positions in x
        return scatterBack(dValues, flat, x.shape);
      },
    };
  },
};

function zeroGrad(kernelName: string, inputs: string[]): GradConfig {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(saved[i])])),
  };
}

const comparisons = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor'];

let registered = false;

/** Idempotent. Overrides only BatchMatMul (tfjs's is wrong); the others are added where tfjs has none. */
export function registerTrainingGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient(batchMatMulGrad);
  const missing = (name: string) => tf.getGradient(name) === undefined;
  if (missing('StridedSlice')) tf.registerGradient(stridedSliceGrad);
  if (missing('TopK')) tf.registerGradient(topKGrad);
  for (const name of comparisons) if (missing(name)) tf.registerGradient(zeroGrad(name, ['a', 'b']));
  if (missing('LogicalNot')) tf.registerGradient(zeroGrad('LogicalNot', ['x']));
}
