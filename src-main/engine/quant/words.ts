// Packed data lives on the tfjs backends as int32 words (tfjs has no uint8 tensors): word j holds bytes
// 4j … 4j+3 of the bitsandbytes byte stream, byte 4j + b in bits 8b … 8b+7 (little-endian order, built with
// shifts, so the host's endianness never matters). A stream whose length is not a multiple of 4 is padded with
// zero bytes in its last word.

/** Bytes → words (the last word zero-padded). */
export function bytesToWords(bytes: Uint8Array): Int32Array {
  const words = new Int32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < bytes.length; i++) words[i >> 2] |= bytes[i] << ((i & 3) * 8);
  return words;
}

/** The first `length` bytes held by `words`. */
export function wordsToBytes(words: Int32Array, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (words[i >> 2] >>> ((i & 3) * 8)) & 0xff;
  return bytes;
}

/** 16-bit values → words: value 2j in the low half of word j, value 2j+1 in the high half. */
export function halvesToWords(halves: Uint16Array): Int32Array {
  const words = new Int32Array(Math.ceil(halves.length / 2));
  for (let i = 0; i < halves.length; i++) words[i >> 1] |= halves[i] << ((i & 1) * 16);
  return words;
}

export function wordsToHalves(words: Int32Array, length: number): Uint16Array {
  const out = new Uint16Array(length);
  for (let i = 0; i < length; i++) out[i] = (words[i >> 1] >>> ((i & 1) * 16)) & 0xffff;
  return out;
}
