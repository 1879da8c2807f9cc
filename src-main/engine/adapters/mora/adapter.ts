// An injected MoRA adapter: the wrapped layers (switch on/off, merge, unmerge, remove as every wrapping method)
// plus ReMoRA's restarts after an update, and the config as it stands now (the type a ReMoRA cycle has reached,
// which is what its adapter_config.json must say).
import type * as tf from '@tensorflow/tfjs';
import type { MoraConfig, MoraType } from '../../../../src-shared/domain/methods';
import type { CausalLM } from '../../model/causal-lm';
import type { AdapterMethod, InjectedAdapter, StepEndEffects } from '../types';
import { WrappedModulesAdapter } from '../wrapped';
import type { MoraLinear } from './layer';
import { ReMoraSchedule } from './remora';
import { moraVariant } from './variants';

export class MoraAdapter implements InjectedAdapter<MoraConfig> {
  private readonly modules: WrappedModulesAdapter<MoraConfig>;
  private readonly remora: ReMoraSchedule | null;
  private type: MoraType;

  constructor(
    readonly method: AdapterMethod<MoraConfig>,
    private readonly initial: MoraConfig,
    model: CausalLM,
    private readonly layers: Map<string, MoraLinear>,
    variables: Map<string, tf.Variable>,
  ) {
    this.modules = new WrappedModulesAdapter(method, initial, model, layers, variables);
    this.remora = initial.remora ? new ReMoraSchedule(initial.remora.every, initial.remora.types) : null;
    this.type = initial.moraType;
  }

  get config(): MoraConfig {
    return { ...this.initial, moraType: this.type };
  }

  trainables(): Map<string, tf.Variable> {
    return this.modules.trainables();
  }

  /** The wrapped layers by module name (for tests and tools). */
  wrapped(): Map<string, MoraLinear> {
    return this.layers;
  }

  setEnabled(enabled: boolean): void {
    this.modules.setEnabled(enabled);
  }

  merge(): void {
    this.modules.merge();
  }

  unmerge(): void {
    this.modules.unmerge();
  }

  remove(): void {
    this.modules.remove();
  }

  onStepEnd(step: number): StepEndEffects | undefined {
    if (!this.remora?.restartsAfter(step)) return undefined;
    this.type = this.remora.next(this.type);
    const next = moraVariant(this.type);
    for (const layer of this.layers.values()) layer.restart(next);
    return { resetOptimizer: true };
  }
}
