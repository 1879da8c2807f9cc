// "Only the newest answer counts": a request scheduled after a quiet period; scheduling again (or cancel) aborts the
// one before, through its AbortSignal (the HostClient turns that into a cancel message to the host). Results and
// errors of aborted requests are dropped.
export interface LatestRequestHandlers<T> {
  onStart?: () => void;
  onResult: (value: T) => void;
  onError: (err: unknown) => void;
}

export class LatestRequest<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private controller: AbortController | null = null;

  constructor(private readonly delayMs: number) {}

  /** True while a request is waiting for its quiet period or for its answer. */
  get busy(): boolean {
    return this.timer !== null || this.controller !== null;
  }

  schedule(run: (signal: AbortSignal) => Promise<T>, handlers: LatestRequestHandlers<T>, delayMs = this.delayMs): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start(run, handlers);
    }, delayMs);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    this.controller = null;
  }

  private start(run: (signal: AbortSignal) => Promise<T>, handlers: LatestRequestHandlers<T>): void {
    const controller = new AbortController();
    this.controller = controller;
    handlers.onStart?.();
    run(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        this.controller = null;
        handlers.onResult(value);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        this.controller = null;
        handlers.onError(err);
      },
    );
  }
}
