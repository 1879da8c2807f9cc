// What a MoRA type is (convention 3: a variant is an object with a fixed set of functions, not a `mora_type`
// number threaded through the layer): the maps around the square matrix M, as a forward and as ΔW.
// Legend: N rows, n in_features, m out_features, R = r̂.
import type * as tf from '@tensorflow/tfjs';
import type { MoraType } from '../../../../src-shared/domain/methods';
import type { MoraGeometry } from './geometry';

/** One module's MoRA maps; holds constant tensors (indices, cos/sin tables) until disposed. */
export interface MoraOperator {
  /** The adapter's contribution ΔW·x, without the base: (N, n) and M (R, R) → (N, m). */
  forward(x: tf.Tensor2D, M: tf.Tensor2D): tf.Tensor2D;
  /** ΔW (m, n), unscaled, as the reference's `get_delta_weight` builds it. */
  deltaWeight(M: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

export interface MoraVariant {
  readonly type: MoraType;
  readonly name: string;
  /** r̂ is rounded down to even (type 6 splits each chunk in halves). */
  readonly evenRank: boolean;
  /** What a module of this geometry lacks for this type (peft-spec §3.4), empty when it fits. */
  requirements(g: MoraGeometry): string[];
  create(g: MoraGeometry): MoraOperator;
}
