// Character-level accuracy of the validation responses, teacher-forced: at every target token the model's most
// likely next token is decoded, and its text is compared with the true token's text character by character
// (position i of the prediction against position i of the truth; a missing character is wrong, extra ones do not
// count). Accuracy = matching characters / characters of the truth. With a tokenizer that spells a UUID one
// character per token (the demo's) this is exactly the per-character accuracy of MoRA's UUID memorisation task
// (Jiang et al. 2024, §5.1). Special tokens (EOS) have no characters and are left out.

export interface CharPair {
  truth: string;
  predicted: string;
}

export interface CharTally {
  correct: number;
  total: number;
}

/** Matching characters and characters of the truth over the pairs. */
export function charTally(pairs: Iterable<CharPair>): CharTally {
  let correct = 0;
  let total = 0;
  for (const { truth, predicted } of pairs) {
    const t = [...truth];
    const p = [...predicted];
    total += t.length;
    for (let i = 0; i < t.length; i++) if (p[i] === t[i]) correct++;
  }
  return { correct, total };
}

/** correct / total, or NaN when the truth has no characters. */
export function charAccuracy(pairs: Iterable<CharPair>): number {
  const { correct, total } = charTally(pairs);
  return total ? correct / total : NaN;
}

/** Decodes token ids one at a time (cached per id) and tallies predicted against true tokens. */
export class TokenCharCounter {
  private readonly texts = new Map<number, string>();
  private tally: CharTally = { correct: 0, total: 0 };

  constructor(private readonly decode: (id: number) => string, private readonly special: ReadonlySet<number>) {}

  add(predicted: Int32Array | readonly number[], truth: Int32Array | readonly number[]): void {
    const pairs: CharPair[] = [];
    for (let k = 0; k < truth.length; k++) {
      if (this.special.has(truth[k])) continue;
      pairs.push({ truth: this.text(truth[k]), predicted: this.special.has(predicted[k]) ? '' : this.text(predicted[k]) });
    }
    const t = charTally(pairs);
    this.tally = { correct: this.tally.correct + t.correct, total: this.tally.total + t.total };
  }

  get accuracy(): number {
    return this.tally.total ? this.tally.correct / this.tally.total : NaN;
  }

  private text(id: number): string {
    let s = this.texts.get(id);
    if (s === undefined) this.texts.set(id, (s = this.decode(id)));
    return s;
  }
}
