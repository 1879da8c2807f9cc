// The part of InjectedAdapter shared by every method that wraps linear modules (LoRA, MoRA, IA3): switching
// the adapter on and off, merging it into the base weights and taking it out again.
import type * as tf from '@tensorflow/tfjs';
import type { CausalLM } from '../model/causal-lm';
import type { FrozenLinear, LinearLayer } from '../model/linear';
import type { AdapterMethod, InjectedAdapter } from './types';

export interface AdapterLinear extends LinearLayer {
  enabled: boolean;
  merged: boolean;
  readonly base: FrozenLinear;
  merge(): void;
  unmerge(): void;
}

export class WrappedModulesAdapter<C> implements InjectedAdapter<C> {
  constructor(
    readonly method: AdapterMethod<C>,
    readonly config: C,
    private readonly model: CausalLM,
    private readonly layers: Map<string, AdapterLinear>,
    private readonly variables: Map<string, tf.Variable>,
  ) {}

  trainables(): Map<string, tf.Variable> {
    return this.variables;
  }

  /** The wrapped layers by module name (for tests and tools). */
  wrapped(): Map<string, AdapterLinear> {
    return this.layers;
  }

  setEnabled(enabled: boolean): void {
    for (const l of this.layers.values()) l.enabled = enabled;
  }

  merge(): void {
    for (const l of this.layers.values()) l.merge();
  }

  unmerge(): void {
    for (const l of this.layers.values()) l.unmerge();
  }

  remove(): void {
    for (const [name, l] of this.layers) {
      this.model.setLinear(name, l.base);
      l.dispose();
    }
    this.layers.clear();
    this.variables.clear();
  }
}
