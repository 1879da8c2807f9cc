// ReMoRA (MoRA repo train.py `ResetReloraCallback`; peft-spec §3.6): every T updates (T = `remora.every`,
// step > 0, step mod T = 0) every MoRA layer folds ΔW into its base weights for good, resets M to zero and moves
// to the next type of the cycle (4 types: 1→2→3→4→1; 2 types: 1→2→1); the optimizer state is then cleared (the
// fine-tuning branch of the reference). The reference's warm-up restart of the learning-rate schedule is not done.
import { PeftLabError } from '../../../../src-shared/errors';
import type { MoraType } from '../../../../src-shared/domain/methods';
import { REMORA_CYCLES } from '../../../../src-shared/domain/methods';

export class ReMoraSchedule {
  private readonly cycle: readonly MoraType[];
  /** The last update seen; null until the first one (to recognise a resumed run). */
  private lastStep: number | null = null;

  constructor(readonly every: number, types: keyof typeof REMORA_CYCLES) {
    this.cycle = REMORA_CYCLES[types];
  }

  next(type: MoraType): MoraType {
    return this.cycle[(this.cycle.indexOf(type) + 1) % this.cycle.length];
  }

  /**
   * Whether update `step` (updates done so far) ends with a restart. A run resumed after a restart cannot go on:
   * the merged ΔW lives in the base weights, which checkpoints do not hold.
   */
  restartsAfter(step: number): boolean {
    const resumedFrom = this.lastStep === null ? step - 1 : null;
    this.lastStep = step;
    if (resumedFrom !== null && resumedFrom >= this.every) {
      throw new PeftLabError('RESUME_MISMATCH',
        `ReMoRA cannot continue from update ${resumedFrom}: the restarts before it folded ΔW into the base weights, ` +
        `which a checkpoint does not hold. Start the run afresh, or resume from a checkpoint before update ${this.every}.`,
        { step: resumedFrom, every: this.every });
    }
    return step > 0 && step % this.every === 0;
  }
}
