// The demo's BPE trainer and byte-level pre-tokenizer on inputs small enough to work out by hand.
import { describe, expect, it } from 'vitest';
import { byteLevel, bytesToUnicode, preTokenize } from '../../scripts/demo/lib/byte-level';
import { countPieces, mergeIn, trainBpe } from '../../scripts/demo/lib/bpe-train';
import { bytesToUnicode as tinyBytesToUnicode } from '../helpers/tiny-tokenizer';

describe('byte-level pre-tokenizer', () => {
  it('maps bytes as GPT-2 does (the same table as the tiny test tokenizer)', () => {
    expect(bytesToUnicode()).toEqual(tinyBytesToUnicode());
    expect(byteLevel(' \n')).toBe('\u0120\u010a'); // "Ġ" "Ċ"
    expect(byteLevel('é')).toBe('Ã©'); // UTF-8 C3 A9, both printable Latin-1
  });

  it('splits with GPT-2\'s pattern: a leading space stays with the word, contractions apart, trailing space alone', () => {
    expect(preTokenize("Hello world's 42!\n")).toEqual(['Hello', 'Ġworld', "'s", 'Ġ42', '!', 'Ċ']);
    expect(preTokenize('a  b')).toEqual(['a', 'Ġ', 'Ġb']);
  });
});

describe('trainBpe', () => {
  it('merges the most frequent pair first and re-counts the pieces that changed', () => {
    // pairs: (a,b) 5+2 = 7, (b,c) 2+1 = 3 → merge "a b"; then (ab,c) 2, (b,c) 1 → merge "ab c"; then only (b,c) 1 is
    // left, and a pair must occur at least twice.
    const r = trainBpe(new Map([['ab', 5], ['abc', 2], ['bc', 1]]), 10);
    expect(r.merges).toEqual([['a', 'b'], ['ab', 'c']]);
    expect(r.tokens).toEqual(['ab', 'abc']);
  });

  it('breaks ties by the left symbol, then the right one, whatever the input order', () => {
    const r = trainBpe(new Map([['xy', 2], ['ab', 2], ['ac', 2]]), 10);
    expect(r.merges).toEqual([['a', 'b'], ['a', 'c'], ['x', 'y']]);
  });

  it('stops at the requested number of new tokens', () => {
    expect(trainBpe(new Map([['xy', 2], ['ab', 2], ['ac', 2]]), 1).merges).toEqual([['a', 'b']]);
  });

  it('merges left to right without overlap', () => {
    expect(mergeIn([1, 1, 1], 1, 1, 9)).toEqual([9, 1]);
    expect(mergeIn([1, 2, 1, 2, 3], 1, 2, 9)).toEqual([9, 9, 3]);
  });

  it('counts pieces over lines', () => {
    expect(countPieces(['the cat', 'the dog'])).toEqual(new Map([['the', 2], ['Ġcat', 1], ['Ġdog', 1]]));
  });
});
