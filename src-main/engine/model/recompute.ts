// Activation recomputation, "gradient checkpointing" (Chen et al. 2016, "Training Deep Nets with Sublinear Memory
// Cost"; what torch.utils.checkpoint does for Hugging Face's `gradient_checkpointing_enable()`): a block's forward
// runs without recording anything for the backward pass and only its inputs are kept; during backprop the block runs
// again, this time on a tape of its own, which gives the gradients of its inputs and of the trainable variables it
// reads. Activations are then held for one block at a time (plus every block's input) instead of for all blocks at
// once, for the price of one more forward pass of each block.
//
// How this sits in TensorFlow.js (tfjs-core 4.22, engine.ts `customGrad`, `runKernelFunc`, `gradients`):
// - tf.customGrad runs its function with the tape off (kernelDepth > 0: nothing inside is recorded) and records a
//   single tape node whose inputs are the tensors passed to the op; backprop calls its gradFunc with `dy` and the
//   tensors `save`d during the forward, and expects exactly one gradient per input. So the variables a block reads
//   are passed as inputs of the op too: the outer tape then routes their gradients to tf.variableGrads as usual.
//   Tensors the block only reads (mask, RoPE tables) are saved, not inputs: they get no gradient.
// - The gradFunc differentiates the recomputed block with engine.gradients(). Called from inside a backward pass
//   (gradient depth 0), that starts a fresh tape and, once done, sets the engine's active tape to null; the outer
//   backward walks its own filtered copy of the tape but frees its saved tensors through `state.activeTape` when it
//   ends, so the outer tape is put back after each recomputation.
// - tfjs keeps every tape node's saved tensors and every intermediate gradient until the whole backward pass ends;
//   inside a recomputation those belong to the inner pass and are freed as soon as the block's gradients are out.
// The recomputed forward must equal the first one: dropout masks are seeded from the ForwardContext, so they do.
import * as tf from '@tensorflow/tfjs';

/** A block: differentiable inputs (e.g. the hidden states, prefix keys/values) and read-only tensors → output. */
export type Block<T extends tf.Tensor> = (inputs: tf.Tensor[], constants: tf.Tensor[]) => T;

/** Runs `fn` (which computes gradients) without losing the engine's active tape of an enclosing backward pass. */
function onOwnTape<T>(fn: () => T): T {
  const state = tf.engine().state;
  const outer = state.activeTape;
  try {
    return fn();
  } finally {
    state.activeTape = outer;
  }
}

/**
 * `block(inputs, constants)`, its activations recomputed during backprop instead of kept. `variables` must list
 * every trainable variable the block reads (their gradients come out of this op only); `inputs` get gradients,
 * `constants` do not.
 */
export function recomputed<T extends tf.Tensor>(block: Block<T>, inputs: tf.Tensor[], constants: tf.Tensor[], variables: tf.Variable[]): T {
  const nIn = inputs.length;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([...inputs, ...constants]);
    const value = block(inputs, constants);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => tf.tidy(() => {
      const xs = saved.slice(0, nIn);
      const cs = saved.slice(nIn);
      const wrt = [...xs, ...variables];
      const { grads } = onOwnTape(() => tf.engine().gradients(() => block(xs, cs), wrt, dy as T, true));
      return wrt.map((x, i) => grads[i] ?? tf.zerosLike(x));
    });
    return { value, gradFunc };
  });
  return op(...inputs, ...variables) as T;
}
