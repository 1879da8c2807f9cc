// Bounded memoisation of pure, costly study computations keyed by their inputs: the Bradley-Terry fit with its
// bootstrap (about a second for a 500-run sweep) and ROUGE-L / BLEU of an output against its reference. A summary
// opened again with the same judgements and outputs reuses them; any change of input is a new key, so nothing is
// ever stale. The oldest entry goes first once `capacity` is reached (a Map keeps insertion order).
export class Memo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
