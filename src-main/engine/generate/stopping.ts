// Streaming text with stop strings: text is released only once it can no longer be the start of a stop
// string, so a consumer never sees a partial "### En" that is later taken back.

export class StopStringStream {
  private text = '';
  private emitted = 0;
  stopped = false;

  constructor(private readonly stops: string[]) {}

  /** Feeds the full decoded text so far; returns the newly releasable text. */
  update(fullText: string): string {
    if (this.stopped) return '';
    this.text = fullText;
    const at = firstStop(fullText, this.stops);
    if (at >= 0) {
      this.stopped = true;
      this.text = fullText.slice(0, at);
      return this.release(Math.max(this.emitted, at));
    }
    return this.release(fullText.length - heldBack(fullText, this.stops));
  }

  /** Releases whatever is left (generation ended without a stop string). */
  flush(): string {
    return this.release(this.text.length);
  }

  /** The final text (cut before the stop string, if one was hit). */
  get finalText(): string {
    return this.text;
  }

  private release(upTo: number): string {
    if (upTo <= this.emitted) return '';
    const out = this.text.slice(this.emitted, upTo);
    this.emitted = upTo;
    return out;
  }
}

export function firstStop(text: string, stops: string[]): number {
  let at = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}

/** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
function heldBack(text: string, stops: string[]): number {
  let keep = 0;
  for (const s of stops) {
    for (let len = Math.min(s.length - 1, text.length); len > keep; len--) {
      if (text.endsWith(s.slice(0, len))) {
        keep = len;
        break;
      }
    }
  }
  return keep;
}
