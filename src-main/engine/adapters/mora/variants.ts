// The MoRA types by number (peft-spec §3.3 table), registered like adapter methods: types 1–4 pair a compression
// with a decompression around M (ΔW = D·M·C), type 6 rotates chunks (rope.ts). Type 5 is undefined in the
// reference (its forward crashes) and is not offered.
// Legend: N rows, n in_features, m out_features, R = r̂.
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../../src-shared/errors';
import type { MoraType } from '../../../../src-shared/domain/methods';
import type { MoraMapKind } from './operators';
import { chunkSum, groupedSum, repeatInterleave, tile } from './operators';
import { ropeVariant } from './rope';
import type { MoraVariant } from './variant';

/** y = D(M·C(x)); ΔW = D·M·C with the maps' matrices C (R, n) and D (m, R). */
function sandwich(type: MoraType, compress: MoraMapKind, decompress: MoraMapKind): MoraVariant {
  return {
    type,
    name: `${compress.name}, ${decompress.name}`,
    evenRank: false,
    requirements: (g) => [compress.requirement(g), decompress.requirement(g)].filter((s): s is string => s !== null),
    create(g) {
      const c = compress.create(g);
      const d = decompress.create(g);
      return {
        forward: (x, M) => tf.tidy(() => d.apply(tf.matMul(c.apply(x), M, false, true))), // (N, R) → M·c (N, R) → (N, m)
        deltaWeight: (M) => tf.tidy(() => tf.matMul(tf.matMul(d.matrix(), M), c.matrix())), // (m, R)·(R, R)·(R, n)
        dispose() {
          c.dispose();
          d.dispose();
        },
      };
    },
  };
}

const variants = new Map<number, MoraVariant>();

export function registerMoraVariant(v: MoraVariant): void {
  variants.set(v.type, v);
}

export function moraVariant(type: number): MoraVariant {
  const v = variants.get(type);
  if (!v) throw new PeftLabError('BAD_ARGUMENT', `MoRA type ${type} does not exist; available: ${[...variants.keys()].join(', ')}`);
  return v;
}

registerMoraVariant(sandwich(1, chunkSum, tile));
registerMoraVariant(sandwich(2, groupedSum, repeatInterleave));
registerMoraVariant(sandwich(3, groupedSum, tile));
registerMoraVariant(sandwich(4, chunkSum, repeatInterleave));
registerMoraVariant(ropeVariant);
