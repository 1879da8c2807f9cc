// A blind pairwise session: the rater's name (remembered in this browser), the pair the host chose, and the
// judgement sent back; the next pair follows at once. Who wrote which output is never known here.
import type { Verdict } from '../../src-shared/domain/review';
import type { BlindPair } from '../../src-shared/domain/review-views';
import type { Host } from '../lib/host';
import { errorMessage } from '../lib/format';

const RATER_KEY = 'peft-lab.rater';

function storedRater(): string {
  try {
    return localStorage.getItem(RATER_KEY) ?? '';
  } catch {
    return '';
  }
}

export class PairwiseState {
  rater = $state(storedRater());
  pair = $state.raw<BlindPair | null>(null);
  loaded = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  /** The last verdict, shown briefly so a keypress is seen to land. */
  last = $state<Verdict | null>(null);

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
    readonly sweepId: number,
  ) {}

  setRater(name: string): void {
    this.rater = name.trim();
    try {
      localStorage.setItem(RATER_KEY, this.rater);
    } catch {
      // private mode: the name lasts for this page only
    }
  }

  async next(): Promise<void> {
    if (!this.rater) return;
    try {
      this.pair = await this.host.request('review/pairs/next', { sweepId: this.sweepId, rater: this.rater });
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
      this.onError(err);
    }
    this.loaded = true;
  }

  async judge(verdict: Verdict): Promise<void> {
    const p = this.pair;
    if (!p || this.busy || !this.rater) return;
    this.busy = true;
    try {
      await this.host.request('review/pairs/judge', {
        sweepId: this.sweepId, promptId: p.promptId, leftSampleId: p.left.sampleId, rightSampleId: p.right.sampleId, verdict, rater: this.rater, repeatOf: p.repeatOf,
      });
      this.last = verdict;
      await this.next();
    } catch (err) {
      this.error = errorMessage(err);
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }
}
