// Streaming with stop strings: nothing that may still become a stop string is released, and the final text is
// cut before the stop string.
import { describe, expect, it } from 'vitest';
import { StopStringStream } from '../../../src-main/engine/generate/stopping';

function feed(stops: string[], pieces: string[]): { released: string[]; final: string; stopped: boolean } {
  const s = new StopStringStream(stops);
  let text = '';
  const released: string[] = [];
  for (const p of pieces) {
    text += p;
    released.push(s.update(text));
    if (s.stopped) break;
  }
  if (!s.stopped) released.push(s.flush());
  return { released, final: s.finalText, stopped: s.stopped };
}

describe('stop strings', () => {
  it('holds back a possible stop-string prefix until it is decided', () => {
    const r = feed(['### End'], ['The answer', ' is 4.\n', '##', '# En', 'd and more']);
    expect(r.released).toEqual(['The answer', ' is 4.\n', '', '', '']);
    expect(r.final).toBe('The answer is 4.\n');
    expect(r.stopped).toBe(true);
  });

  it('releases held-back text when it turns out not to be a stop string', () => {
    const r = feed(['### End'], ['a #', '## Ed', 'ge b']);
    expect(r.released).toEqual(['a ', '### Ed', 'ge b', '']); // '#' is held back until '## Ed' shows it is no stop string
    expect(r.final).toBe('a ### Edge b');
    expect(r.stopped).toBe(false);
  });

  it('stops at the earliest of several stop strings', () => {
    const r = feed(['</s>', '\n\n'], ['x', 'y\n\nz</s>']);
    expect(r.final).toBe('xy');
    expect(r.released.join('')).toBe('xy');
  });

  it('without stop strings releases everything at once', () => {
    const r = feed([], ['ab', 'cd']);
    expect(r.released).toEqual(['ab', 'cd', '']);
  });
});
