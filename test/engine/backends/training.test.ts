// A small training run on every backend must give the cpu backend's loss sequence: an embedding lookup (gather),
// a broadcast matMul (B,T,C)@(C,H) with SiLU, mean-pooling, a second layer and softmax cross-entropy, trained
// with Adam. Also: tf.variableGrads agrees with cpu, and tensors do not accumulate across steps.
//
// Legend: B batch (16), T tokens per example (3), C embedding width (8), H hidden (16), K classes (4), V vocab (10).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/engine/backends/index';
import { describeEachBackend } from '../../helpers/backends';
import { rand, seeded } from './op-cases';
import { maxError } from './run-case';

interface Model { embed: tf.Variable; w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable }

function makeModel(): Model {
  return {
    embed: tf.variable(rand([10, 8], 1, -0.5, 0.5), true, 'embed'), // (V, C)
    w1: tf.variable(rand([8, 16], 2, -0.5, 0.5), true, 'w1'), // (C, H)
    b1: tf.variable(tf.zeros([16]), true, 'b1'),
    w2: tf.variable(rand([16, 4], 3, -0.5, 0.5), true, 'w2'), // (H, K)
    b2: tf.variable(tf.zeros([4]), true, 'b2'),
  };
}

function data(): { ids: tf.Tensor; labels: tf.Tensor } {
  const next = seeded(99);
  const ids = tf.tensor2d(Array.from({ length: 48 }, () => Math.floor(next() * 10)), [16, 3], 'int32'); // (B, T)
  const labels = tf.tensor1d(Array.from({ length: 16 }, () => Math.floor(next() * 4)), 'int32'); // (B)
  return { ids, labels };
}

function loss(m: Model, ids: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const x = tf.gather(m.embed, ids); // (B, T, C)
  const pre = tf.add(tf.matMul(x, m.w1), m.b1); // (B, T, H)
  const h = tf.mean(tf.mul(pre, tf.sigmoid(pre)), 1); // (B, H)
  const logits = tf.add(tf.matMul(h, m.w2), m.b2); // (B, K)
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 4), logits) as tf.Scalar;
}

const STEPS = 8;

/** Trains STEPS Adam steps from the same start; returns each step's loss and the final number of live tensors. */
async function trainLosses(): Promise<{ losses: number[]; tensorsPerStep: number[] }> {
  const m = makeModel();
  const { ids, labels } = data();
  const optimizer = tf.train.adam(0.05);
  const losses: number[] = [];
  const tensorsPerStep: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const value = tf.tidy(() => optimizer.minimize(() => loss(m, ids, labels), true) as tf.Scalar);
    losses.push((await value.data())[0]);
    value.dispose();
    tensorsPerStep.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  tf.dispose([ids, labels, ...Object.values(m)]);
  return { losses, tensorsPerStep };
}

async function variableGrads(): Promise<number[][]> {
  const m = makeModel();
  const { ids, labels } = data();
  const { value, grads } = tf.variableGrads(() => loss(m, ids, labels));
  const names = Object.keys(grads).sort();
  const out = [[(await value.data())[0]], ...(await Promise.all(names.map(async (n) => Array.from(await grads[n].data()))))];
  tf.dispose([value, ...Object.values(grads), ids, labels, ...Object.values(m)]);
  return out;
}

let cpuLosses: number[] = [];
let cpuGrads: number[][] = [];

beforeAll(async () => {
  await useBackend('cpu');
  cpuLosses = (await trainLosses()).losses;
  cpuGrads = await variableGrads();
});

describeEachBackend('2-layer MLP with Adam', (backend) => {
  it('gives the cpu loss sequence, and the loss goes down', async () => {
    const { losses } = await trainLosses();
    expect(maxError(losses, cpuLosses), `${backend}: ${losses.join(', ')} vs cpu ${cpuLosses.join(', ')}`).toBeLessThan(1e-4);
    expect(losses[STEPS - 1]).toBeLessThan(losses[0]);
  });

  it('tf.variableGrads agrees with cpu for every variable (embedding included)', async () => {
    const grads = await variableGrads();
    expect(grads.length).toBe(cpuGrads.length);
    grads.forEach((g, i) => expect(maxError(g, cpuGrads[i]), `${backend} entry ${i}`).toBeLessThan(1e-4));
  });

  it('does not grow tf.memory().numTensors across steps inside tf.tidy', async () => {
    const { tensorsPerStep } = await trainLosses();
    // Step 0 creates Adam's moment variables; from then on every step must end with the same count.
    const steady = tensorsPerStep.slice(1);
    expect(new Set(steady).size, `live tensors per step: ${tensorsPerStep.join(', ')}`).toBe(1);
  });
});
