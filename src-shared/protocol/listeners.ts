// A set of listeners with unsubscribe, and a once-only close signal: shared by every transport (host and renderer).
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(handler: (value: T) => void): () => void {
    this.set.add(handler);
    return () => {
      this.set.delete(handler);
    };
  }

  emit(value: T): void {
    for (const h of [...this.set]) h(value);
  }

  clear(): void {
    this.set.clear();
  }
}

/** The close half every transport shares: reports the reason once, to late subscribers too. */
export class CloseSignal {
  private reason: string | null = null;
  private readonly listeners = new Listeners<string>();

  get closed(): boolean {
    return this.reason !== null;
  }

  fire(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.listeners.emit(reason);
    this.listeners.clear();
  }

  subscribe(handler: (reason: string) => void): () => void {
    if (this.reason !== null) {
      handler(this.reason);
      return () => {};
    }
    return this.listeners.add(handler);
  }
}
