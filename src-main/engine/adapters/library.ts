// Several adapters on one loaded base model, switched per request without reloading the base (side-by-side
// generation for review): each adapter's tensors are kept on the backend; activating one injects it (cheap: the
// adapter's own tensors, never the base's) and removes the previous one. `null` is the base model itself.
import * as tf from '@tensorflow/tfjs';
import { PeftLabError } from '../../../src-shared/errors';
import type { CausalLM } from '../model/causal-lm';
import { loadAdapter } from './io';
import type { AdapterMethod, InjectedAdapter } from './types';

interface Stored {
  method: AdapterMethod;
  config: unknown;
  tensors: Map<string, tf.Tensor>;
}

export class AdapterLibrary {
  private readonly stored = new Map<string, Stored>();
  private current: { name: string; adapter: InjectedAdapter } | null = null;

  constructor(private readonly model: CausalLM) {}

  /** Reads an adapter folder (validated against this base) and keeps its tensors under `name`. */
  async load(name: string, dir: string): Promise<void> {
    if (this.stored.has(name)) throw new PeftLabError('BAD_ARGUMENT', `an adapter named "${name}" is already loaded`);
    const previous = this.current?.name ?? null;
    this.activate(null);
    const adapter = await loadAdapter(dir, this.model);
    const tensors = new Map<string, tf.Tensor>();
    for (const [key, v] of adapter.trainables()) tensors.set(key, tf.keep(v.clone()));
    this.stored.set(name, { method: adapter.method, config: adapter.config, tensors });
    adapter.remove();
    this.activate(previous);
  }

  names(): string[] {
    return [...this.stored.keys()];
  }

  active(): string | null {
    return this.current?.name ?? null;
  }

  /** Makes `name` the model's adapter (null: none, the base model's own output). */
  activate(name: string | null): void {
    if (name === (this.current?.name ?? null)) return;
    this.current?.adapter.remove();
    this.current = null;
    if (name === null) return;
    const s = this.stored.get(name);
    if (!s) throw new PeftLabError('BAD_ARGUMENT', `no adapter named "${name}" is loaded (loaded: ${this.names().join(', ') || 'none'})`);
    const adapter = s.method.inject(this.model, s.config, { seed: 0 });
    for (const [key, v] of adapter.trainables()) {
      const t = s.tensors.get(key);
      if (t) v.assign(t);
    }
    this.current = { name, adapter };
  }

  dispose(): void {
    this.activate(null);
    for (const s of this.stored.values()) for (const t of s.tensors.values()) t.dispose();
    this.stored.clear();
  }
}
