import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  BatchIterator,
  buildBatch,
  evaluationBatches,
  padIdFor,
  shiftLabels,
  splitTrainValidation,
} from '../../../src-main/engine/train/batching';
import type { Batch, BatchExample, BatchOptions } from '../../../src-main/engine/train/batching';
import { expectPeftError } from './helpers';

const X = -100;
// Hand-made examples; targets after the shift = positions t with labels[t+1] != -100.
const E0: BatchExample = { inputIds: [1, 10, 11, 12], labels: [X, X, 11, 12] }; // 2 targets
const E1: BatchExample = { inputIds: [1, 20, 21], labels: [X, 20, 21] }; // 2 targets
const E2: BatchExample = { inputIds: [1, 30, 31, 32, 33], labels: [X, X, X, 32, 33] }; // 2 targets
const E3: BatchExample = { inputIds: [1, 40], labels: [X, 40] }; // 1 target

const opts = (over: Partial<BatchOptions> = {}): BatchOptions => ({
  batchSize: 2,
  maxLength: 6,
  packing: false,
  padId: 0,
  shuffle: false,
  ...over,
});
const arr = (b: Batch) => ({
  inputIds: [...b.inputIds],
  labels: [...b.labels],
  positionIds: [...b.positionIds],
  segmentIds: [...b.segmentIds],
});

describe('padding mode', () => {
  it('right-pads one example per row, labels -100 on pads', () => {
    const it = new BatchIterator([E0, E1, E2, E3], opts());
    const b = it.next();
    expect([b.batchSize, b.seqLen, b.numExamples, b.epoch]).toEqual([2, 6, 2, 0]);
    expect(arr(b)).toEqual({
      inputIds: [1, 10, 11, 12, 0, 0, /**/ 1, 20, 21, 0, 0, 0],
      labels: [X, X, 11, 12, X, X, /**/ X, 20, 21, X, X, X],
      positionIds: [0, 1, 2, 3, 0, 0, /**/ 0, 1, 2, 0, 0, 0],
      segmentIds: [1, 1, 1, 1, 0, 0, /**/ 1, 1, 1, 0, 0, 0],
    });
    expect(b.numTargetTokens).toBe(4);
    const b2 = it.next();
    expect(b2.numTargetTokens).toBe(3);
    expect([...b2.inputIds]).toEqual([1, 30, 31, 32, 33, 0, /**/ 1, 40, 0, 0, 0, 0]);
  });

  it('fills the last batch of an epoch with empty rows, then wraps to the next epoch', () => {
    const it = new BatchIterator([E0, E1, E2], opts({ padId: 7 }));
    it.next();
    const last = it.next();
    expect([...last.inputIds]).toEqual([1, 30, 31, 32, 33, 7, /**/ 7, 7, 7, 7, 7, 7]);
    expect([...last.segmentIds]).toEqual([1, 1, 1, 1, 1, 0, /**/ 0, 0, 0, 0, 0, 0]);
    expect([last.numExamples, last.numTargetTokens, last.epoch]).toEqual([1, 2, 0]);
    expect(it.state()).toEqual({ epoch: 0, cursor: 3, seed: 0 });
    const wrapped = it.next();
    expect(wrapped.epoch).toBe(1);
    expect([...wrapped.inputIds].slice(0, 4)).toEqual([1, 10, 11, 12]);
  });

  it('dynamic length: the longest example rounded up to a multiple of 8, at most maxLength', () => {
    const long: BatchExample = { inputIds: [1, 2, 3, 4, 5, 6, 7, 8, 9], labels: [X, 2, 3, 4, 5, 6, 7, 8, 9] };
    expect(new BatchIterator([E0, E1], opts({ maxLength: 32, dynamic: true })).next().seqLen).toBe(8);
    expect(new BatchIterator([E0, long], opts({ maxLength: 32, dynamic: true })).next().seqLen).toBe(16);
    expect(new BatchIterator([E0, long], opts({ maxLength: 12, dynamic: true })).next().seqLen).toBe(12);
    expect(new BatchIterator([E0, long], opts({ maxLength: 32 })).next().seqLen).toBe(32);
  });

  it('pad id: the tokenizer pad, else EOS, else 0', () => {
    expect(padIdFor({ padId: 3, eosId: 2 })).toBe(3);
    expect(padIdFor({ padId: null, eosId: 2 })).toBe(2);
    expect(padIdFor({ padId: null, eosId: null })).toBe(0);
  });
});

describe('packing mode', () => {
  it('packs whole examples into rows of maxLength; positions restart; segments separate examples', () => {
    const b = new BatchIterator([E0, E1, E2, E3], opts({ packing: true, maxLength: 8 })).next();
    // Row 0: E0 (4) + E1 (3) = 7, E2 (5) does not fit → row 1: E2 (5) + E3 (2) = 7.
    expect(arr(b)).toEqual({
      inputIds: [1, 10, 11, 12, 1, 20, 21, 0, /**/ 1, 30, 31, 32, 33, 1, 40, 0],
      labels: [X, X, 11, 12, X, 20, 21, X, /**/ X, X, X, 32, 33, X, 40, X],
      positionIds: [0, 1, 2, 3, 0, 1, 2, 0, /**/ 0, 1, 2, 3, 4, 0, 1, 0],
      segmentIds: [1, 1, 1, 1, 2, 2, 2, 0, /**/ 1, 1, 1, 1, 1, 2, 2, 0],
    });
    expect([b.numExamples, b.numTargetTokens]).toEqual([4, 7]);
  });

  it('never predicts across an example boundary', () => {
    const A: BatchExample = { inputIds: [1, 10, 11, 12], labels: [1, 10, 11, 12] };
    const B: BatchExample = { inputIds: [1, 20, 21], labels: [1, 20, 21] };
    const b = buildBatch([[A, B]], { batchSize: 1, seqLen: 8, padId: 0 });
    // Position 3 (last of A) must not predict B's BOS at position 4; position 6 must not predict padding.
    expect([...shiftLabels(b)]).toEqual([10, 11, 12, X, 20, 21, X, X]);
    expect(b.numTargetTokens).toBe(5);
  });

  it('keeps the invariants over a shuffled epoch of random examples', () => {
    const rng = seedrandom('packing');
    const examples: BatchExample[] = Array.from({ length: 37 }, (_, k) => {
      const n = 1 + Math.floor(rng() * 12);
      const ids = Array.from({ length: n }, (_, j) => 1000 * (k + 1) + j);
      return { inputIds: ids, labels: ids.map((id, j) => (j < n / 2 ? X : id)) };
    });
    const o = opts({ packing: true, maxLength: 16, batchSize: 3, shuffle: true, seed: 5 });
    const it = new BatchIterator(examples, o);
    const seen = new Map<number, number>();
    let targets = 0;
    const nBatches = it.batchesInEpoch(0);
    for (let i = 0; i < nBatches; i++) {
      const b = it.next();
      expect(b.epoch).toBe(0);
      expect(b.seqLen).toBe(16);
      targets += b.numTargetTokens;
      for (let r = 0; r < b.batchSize; r++) {
        for (let t = 0; t < b.seqLen; t++) {
          const i0 = r * b.seqLen + t;
          if (b.segmentIds[i0] === 0) {
            expect(b.labels[i0]).toBe(X);
            continue;
          }
          const k = Math.floor(b.inputIds[i0] / 1000) - 1;
          const j = b.inputIds[i0] % 1000;
          expect(b.positionIds[i0]).toBe(j); // positions restart at 0 per example
          if (j === 0) {
            expect(seen.has(k)).toBe(false); // each example once per epoch
            seen.set(k, b.segmentIds[i0]);
          } else {
            expect(b.segmentIds[i0]).toBe(seen.get(k)); // the rest of the example: same row, same segment
            expect(b.inputIds[i0 - 1]).toBe(b.inputIds[i0] - 1); // contiguous, never split
          }
        }
      }
    }
    expect(seen.size).toBe(37);
    const expectedTargets = examples.reduce((s, e) => s + e.labels.slice(1).filter((l) => l !== X).length, 0);
    expect(targets).toBe(expectedTargets);
    expect(it.next().epoch).toBe(1);
  });
});

describe('BatchIterator: shuffle and resume', () => {
  const rng = seedrandom('resume');
  const examples: BatchExample[] = Array.from({ length: 23 }, (_, k) => {
    const n = 1 + Math.floor(rng() * 10);
    const ids = Array.from({ length: n }, (_, j) => 100 * (k + 1) + j);
    return { inputIds: ids, labels: ids };
  });

  for (const packing of [false, true]) {
    it(`a restored iterator yields exactly the same batches (packing ${packing})`, () => {
      const o = opts({ packing, maxLength: 12, batchSize: 4, shuffle: true, seed: 42 });
      const a = new BatchIterator(examples, o);
      const reference: Batch[] = [];
      const states = [];
      for (let i = 0; i < 20; i++) {
        states.push(a.state());
        reference.push(a.next());
      }
      expect(reference.at(-1)!.epoch).toBeGreaterThanOrEqual(2); // crosses epoch boundaries
      for (const at of [0, 3, 7, 13]) {
        const saved = JSON.parse(JSON.stringify(states[at])); // as stored in a checkpoint
        const b = BatchIterator.restore(examples, o, saved);
        for (let i = at; i < 20; i++) expect(b.next()).toEqual(reference[i]);
      }
    });
  }

  it('orders differ between epochs and seeds, and are reproducible', () => {
    const firstIds = (seed: number, batches: number) => {
      const it = new BatchIterator(examples, opts({ batchSize: 23, maxLength: 12, shuffle: true, seed }));
      const out: number[][] = [];
      for (let i = 0; i < batches; i++) {
        const b = it.next();
        out.push(Array.from({ length: 23 }, (_, r) => b.inputIds[r * b.seqLen]));
      }
      return out;
    };
    const [e0, e1] = firstIds(1, 2);
    expect([...e0].sort((x, y) => x - y)).toEqual([...e1].sort((x, y) => x - y));
    expect(e0).not.toEqual(e1);
    expect(firstIds(1, 2)).toEqual([e0, e1]);
    expect(firstIds(2, 1)[0]).not.toEqual(e0);
  });

  it('rejects a state that does not fit the examples, and bad inputs', async () => {
    await expectPeftError(() => BatchIterator.restore(examples, opts({ maxLength: 12 }), { epoch: 0, cursor: 99, seed: 0 }), 'RESUME_MISMATCH', 'same dataset');
    await expectPeftError(() => new BatchIterator([], opts()), 'DATASET_INVALID', 'No training examples');
    await expectPeftError(() => new BatchIterator([{ inputIds: [1, 2, 3, 4, 5, 6, 7], labels: [1, 2, 3, 4, 5, 6, 7] }], opts()), 'BAD_ARGUMENT', '1..6');
  });
});

describe('evaluationBatches', () => {
  it('visits every example once, in order', () => {
    const batches = [...evaluationBatches([E0, E1, E2], opts())];
    expect(batches.length).toBe(2);
    expect(batches.map((b) => b.numExamples)).toEqual([2, 1]);
    expect([...batches[1].inputIds].slice(0, 5)).toEqual([1, 30, 31, 32, 33]);
    const packed = [...evaluationBatches([E0, E1, E2, E3], opts({ packing: true, maxLength: 8, batchSize: 1 }))];
    expect(packed.map((b) => b.numExamples)).toEqual([2, 2]);
  });
});

describe('splitTrainValidation', () => {
  const records = Array.from({ length: 10 }, (_, i) => `r${i}`);

  it('is deterministic, disjoint, complete and keeps file order', () => {
    const a = splitTrainValidation(records, 0.3, 7);
    expect(splitTrainValidation(records, 0.3, 7)).toEqual(a);
    expect(a.validation.length).toBe(3);
    expect(a.train.length).toBe(7);
    expect([...a.train, ...a.validation].sort()).toEqual([...records].sort());
    const idx = (xs: string[]) => xs.map((x) => Number(x.slice(1)));
    expect(idx(a.train)).toEqual([...idx(a.train)].sort((x, y) => x - y));
    expect(idx(a.validation)).toEqual([...idx(a.validation)].sort((x, y) => x - y));
    const many = Array.from({ length: 50 }, (_, i) => i);
    expect(splitTrainValidation(many, 0.2, 1).validation).not.toEqual(splitTrainValidation(many, 0.2, 2).validation);
  });

  it('sizes: round(n × fraction), at least 1, at most n − 1', () => {
    expect(splitTrainValidation(records, 0.1, 0).validation.length).toBe(1);
    expect(splitTrainValidation(records, 0.25, 0).validation.length).toBe(3); // round(2.5) = 3
    expect(splitTrainValidation(records, 0.01, 0).validation.length).toBe(1);
    expect(splitTrainValidation(records, 0.99, 0).validation.length).toBe(9);
    expect(splitTrainValidation(['a', 'b'], 0.1, 0).validation.length).toBe(1);
    expect(splitTrainValidation(['a'], 0, 0)).toEqual({ train: ['a'], validation: [] });
  });

  it('errors when the dataset is too small or the fraction is out of range', async () => {
    await expectPeftError(() => splitTrainValidation(['a'], 0.1, 0), 'DATASET_INVALID', '1 record', 'validationSplit to 0');
    await expectPeftError(() => splitTrainValidation(records, 1, 0), 'DATASET_INVALID', 'validationSplit is 1');
  });
});
