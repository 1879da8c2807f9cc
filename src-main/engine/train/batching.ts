// Fixed-shape causal-LM batches from tokenized examples, a resumable seeded batch iterator, and the seeded
// train/validation split.
//
// Shapes: B = batchSize rows, T = seqLen positions; every array is row-major (B, T) flattened.
// Labels keep Hugging Face semantics: labels[t] = inputIds[t] for a target token, -100 otherwise; the model shifts
// (position t predicts token t+1). A prediction counts only when t and t+1 are in the same segment (segmentIds:
// 0 = padding, 1..k = k-th example of the row), so nothing is predicted across packed examples or into padding.
//
// Padding mode: one example per row, right-padded to maxLength (or, with `dynamic`, to the longest example of the
// batch rounded up to a multiple of 8). Packing mode: examples concatenated greedily (next-fit, in epoch order)
// into rows of exactly maxLength; an example is never split; positionIds restart at 0 for each example.
// The last batch of an epoch is filled up with empty rows (all padding) so that every batch has the same B and
// every example is seen exactly once per epoch.
import { PeftLabError } from '../../../src-shared/errors';
import { IGNORE_INDEX } from './tokenize';
import { epochKey, seededPermutation, splitKey } from './shuffle';

export interface Batch {
  batchSize: number;
  seqLen: number;
  /** (B, T) token ids; padding positions hold the pad id. */
  inputIds: Int32Array;
  /** (B, T) labels[t] = inputIds[t] for target tokens, -100 for ignored positions (prompt, padding). */
  labels: Int32Array;
  /** (B, T) position of each token inside its example (0 for padding). */
  positionIds: Int32Array;
  /** (B, T) 0 = padding, 1..k = index (1-based) of the example inside the row. */
  segmentIds: Int32Array;
  /** Number of positions t with labels[t+1] != -100 and segmentIds[t] == segmentIds[t+1] != 0. */
  numTargetTokens: number;
  /** Number of examples in the batch. */
  numExamples: number;
  /** Epoch the examples were drawn from. */
  epoch: number;
}

export interface BatchExample {
  inputIds: readonly number[];
  labels: readonly number[];
}

export interface BatchOptions {
  batchSize: number;
  maxLength: number;
  packing: boolean;
  /** Padding mode only: pad to the longest example of the batch rounded up to a multiple of 8 (at most maxLength). */
  dynamic?: boolean;
  padId: number;
  /** Shuffle the example order every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the per-epoch shuffle. Default 0. */
  seed?: number;
}

export interface IteratorState {
  epoch: number;
  /** Index into the epoch's example order of the next example to take. */
  cursor: number;
  seed: number;
}

/** The pad id to use: the tokenizer's pad token, else its EOS, else 0. */
export function padIdFor(tok: { padId: number | null; eosId: number | null }): number {
  return tok.padId ?? tok.eosId ?? 0;
}

/** (B, T) targets after the shift: out[t] = labels[t+1] within the same segment, else -100. */
export function shiftLabels(batch: Pick<Batch, 'batchSize' | 'seqLen' | 'labels' | 'segmentIds'>): Int32Array {
  const { batchSize: B, seqLen: T, labels, segmentIds } = batch;
  const out = new Int32Array(B * T).fill(IGNORE_INDEX);
  for (let r = 0; r < B; r++) {
    for (let t = 0; t + 1 < T; t++) {
      const i = r * T + t;
      if (segmentIds[i] !== 0 && segmentIds[i] === segmentIds[i + 1]) out[i] = labels[i + 1];
    }
  }
  return out;
}

function countTargets(shifted: Int32Array): number {
  let n = 0;
  for (const v of shifted) if (v !== IGNORE_INDEX) n++;
  return n;
}

/** Builds one (batchSize, seqLen) batch; `rows[r]` lists the examples of row r (fewer rows → empty rows). */
export function buildBatch(rows: BatchExample[][], opts: { batchSize: number; seqLen: number; padId: number; epoch?: number }): Batch {
  const { batchSize: B, seqLen: T, padId } = opts;
  if (rows.length > B) throw new PeftLabError('BAD_ARGUMENT', `buildBatch: ${rows.length} rows for a batch of ${B}.`);
  const inputIds = new Int32Array(B * T).fill(padId);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  const positionIds = new Int32Array(B * T);
  const segmentIds = new Int32Array(B * T);
  let numExamples = 0;
  rows.forEach((row, r) => {
    let t = 0;
    row.forEach((ex, k) => {
      if (t + ex.inputIds.length > T) {
        throw new PeftLabError('BAD_ARGUMENT', `buildBatch: row ${r} needs more than ${T} positions.`);
      }
      for (let i = 0; i < ex.inputIds.length; i++, t++) {
        inputIds[r * T + t] = ex.inputIds[i];
        labels[r * T + t] = ex.labels[i];
        positionIds[r * T + t] = i;
        segmentIds[r * T + t] = k + 1;
      }
      numExamples++;
    });
  });
  const batch = { batchSize: B, seqLen: T, inputIds, labels, positionIds, segmentIds, numTargetTokens: 0, numExamples, epoch: opts.epoch ?? 0 };
  batch.numTargetTokens = countTargets(shiftLabels(batch));
  return batch;
}

/** Groups `order[start..]` into at most batchSize rows; returns the rows (as example indices) and the next cursor. */
function takeRows(examples: readonly BatchExample[], order: readonly number[], start: number, opts: BatchOptions): { rows: number[][]; end: number } {
  if (!opts.packing) {
    const end = Math.min(order.length, start + opts.batchSize);
    return { rows: order.slice(start, end).map((i) => [i]), end };
  }
  const rows: number[][] = [];
  let row: number[] = [];
  let used = 0;
  let c = start;
  while (c < order.length) {
    const n = examples[order[c]].inputIds.length;
    if (used + n > opts.maxLength) {
      rows.push(row);
      row = [];
      used = 0;
      if (rows.length === opts.batchSize) break;
    }
    row.push(order[c]);
    used += n;
    c++;
  }
  if (row.length > 0) rows.push(row);
  return { rows, end: c };
}

function seqLenFor(rows: BatchExample[][], opts: BatchOptions): number {
  if (opts.packing || !opts.dynamic) return opts.maxLength;
  let longest = 1;
  for (const row of rows) for (const ex of row) longest = Math.max(longest, ex.inputIds.length);
  return Math.min(opts.maxLength, Math.ceil(longest / 8) * 8);
}

function checkInputs(examples: readonly BatchExample[], opts: BatchOptions): void {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || !Number.isInteger(opts.maxLength) || opts.maxLength < 1) {
    throw new PeftLabError('BAD_ARGUMENT', `batchSize and maxLength must be positive integers (got ${opts.batchSize}, ${opts.maxLength}).`);
  }
  if (examples.length === 0) {
    throw new PeftLabError('DATASET_INVALID', 'No training examples to batch (all were dropped or the dataset is empty). Fix: check the dataset, the template and sequence.maxLength.');
  }
  examples.forEach((ex, i) => {
    if (ex.inputIds.length < 1 || ex.inputIds.length > opts.maxLength || ex.labels.length !== ex.inputIds.length) {
      throw new PeftLabError('BAD_ARGUMENT', `Example ${i} has ${ex.inputIds.length} ids and ${ex.labels.length} labels; need 1..${opts.maxLength} of each, equal.`);
    }
  });
}

/** One pass over `examples` in their given order (no shuffle), e.g. for validation. */
export function* evaluationBatches(examples: readonly BatchExample[], opts: BatchOptions): Generator<Batch> {
  checkInputs(examples, opts);
  const order = examples.map((_, i) => i);
  for (let c = 0; c < order.length; ) {
    const { rows, end } = takeRows(examples, order, c, opts);
    const rowExamples = rows.map((row) => row.map((i) => examples[i]));
    yield buildBatch(rowExamples, { batchSize: opts.batchSize, seqLen: seqLenFor(rowExamples, opts), padId: opts.padId });
    c = end;
  }
}

/** Endless batches over the training examples, reshuffled (seeded) every epoch; resumable from `state()`. */
export class BatchIterator {
  private epoch = 0;
  private cursor = 0;
  private order: number[];
  private readonly seed: number;

  constructor(
    private readonly examples: readonly BatchExample[],
    private readonly opts: BatchOptions,
  ) {
    checkInputs(examples, opts);
    this.seed = opts.seed ?? 0;
    this.order = this.orderOf(0);
  }

  /** Continues exactly where `state` was taken (same examples and options required). */
  static restore(examples: readonly BatchExample[], opts: BatchOptions, state: IteratorState): BatchIterator {
    if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.cursor) || state.cursor < 0 || state.cursor > examples.length) {
      throw new PeftLabError(
        'RESUME_MISMATCH',
        `Batch iterator state ${JSON.stringify(state)} does not fit ${examples.length} examples. Fix: resume with the same dataset and sequence settings as the original run.`,
      );
    }
    const it = new BatchIterator(examples, { ...opts, seed: state.seed });
    it.epoch = state.epoch;
    it.cursor = state.cursor;
    it.order = it.orderOf(state.epoch);
    return it;
  }

  state(): IteratorState {
    return { epoch: this.epoch, cursor: this.cursor, seed: this.seed };
  }

  next(): Batch {
    if (this.cursor >= this.order.length) {
      this.epoch++;
      this.cursor = 0;
      this.order = this.orderOf(this.epoch);
    }
    const { rows, end } = takeRows(this.examples, this.order, this.cursor, this.opts);
    this.cursor = end;
    const rowExamples = rows.map((row) => row.map((i) => this.examples[i]));
    const seqLen = seqLenFor(rowExamples, this.opts);
    return buildBatch(rowExamples, { batchSize: this.opts.batchSize, seqLen, padId: this.opts.padId, epoch: this.epoch });
  }

  /** Number of batches in `epoch` (packing makes it depend on the epoch's order). */
  batchesInEpoch(epoch = this.epoch): number {
    const order = this.orderOf(epoch);
    let n = 0;
    for (let c = 0; c < order.length; n++) c = takeRows(this.examples, order, c, this.opts).end;
    return n;
  }

  private orderOf(epoch: number): number[] {
    const n = this.examples.length;
    return this.opts.shuffle === false ? Array.from({ length: n }, (_, i) => i) : seededPermutation(n, epochKey(this.seed, epoch));
  }
}

/**
 * Deterministic seeded split; both parts keep the file order. With fraction > 0 the validation part has
 * round(n × fraction) records, at least 1 and at most n − 1.
 */
export function splitTrainValidation<T>(records: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new PeftLabError('DATASET_INVALID', `dataset.validationSplit is ${fraction}; it must be ≥ 0 and < 1. Fix: use e.g. 0.1, or 0 for no validation.`);
  }
  const n = records.length;
  if (fraction === 0) return { train: [...records], validation: [] };
  if (n < 2) {
    throw new PeftLabError(
      'DATASET_INVALID',
      `The dataset has ${n} record${n === 1 ? '' : 's'}; a validation split needs at least 2. ` +
        `Fix: add records, set dataset.validationSplit to 0, or give a separate dataset.validationPath.`,
    );
  }
  const k = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const inValidation = new Uint8Array(n);
  for (const i of seededPermutation(n, splitKey(seed)).slice(0, k)) inValidation[i] = 1;
  return {
    train: records.filter((_, i) => !inValidation[i]),
    validation: records.filter((_, i) => inValidation[i]),
  };
}
