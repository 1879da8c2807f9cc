// Progress of a download as a person reads it: bytes done of the total, the recent speed (bytes over the last few
// seconds, so a stall shows at once) and the time left at that speed. Emits at most every `intervalMs`, plus every
// phase change.
import type { HubPhase, HubProgress } from '../../src-shared/domain/hub';

const WINDOW_MS = 5000;

export class ProgressMeter {
  private readonly p: HubProgress;
  private readonly samples: { t: number; bytes: number }[] = [];
  private lastEmit = 0;

  constructor(
    init: Pick<HubProgress, 'repo' | 'revision' | 'files' | 'bytesTotal'>,
    private readonly emit: (p: HubProgress) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 200,
  ) {
    this.p = { ...init, phase: 'listing', file: null, filesDone: 0, bytesDone: 0, bytesPerSecond: 0, etaSeconds: null, resumedBytes: 0 };
  }

  get state(): HubProgress {
    return { ...this.p };
  }

  phase(phase: HubPhase, file: string | null = this.p.file, error?: string): void {
    this.p.phase = phase;
    this.p.file = file;
    if (error !== undefined) this.p.error = error;
    this.flush();
  }

  /** Bytes already present (cached blob or a partial file being resumed): done, but not part of the speed. */
  skip(bytes: number, resumed: boolean): void {
    this.p.bytesDone += bytes;
    if (resumed) this.p.resumedBytes += bytes;
    this.samples.length = 0;
  }

  add(bytes: number): void {
    this.p.bytesDone += bytes;
    const t = this.now();
    this.samples.push({ t, bytes: this.p.bytesDone });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    if (t - this.lastEmit >= this.intervalMs) this.flush();
  }

  fileDone(): void {
    this.p.filesDone += 1;
    this.flush();
  }

  private flush(): void {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const dt = first && last ? (last.t - first.t) / 1000 : 0;
    this.p.bytesPerSecond = dt > 0 ? (last.bytes - first.bytes) / dt : this.p.bytesPerSecond;
    const left = this.p.bytesTotal - this.p.bytesDone;
    this.p.etaSeconds = left <= 0 ? 0 : this.p.bytesPerSecond > 0 ? left / this.p.bytesPerSecond : null;
    this.lastEmit = this.now();
    this.emit(this.state);
  }
}
