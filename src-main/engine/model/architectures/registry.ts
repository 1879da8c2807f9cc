// Architectures are registered, not switched on: a new LLaMA-family model type is one file and one call here.
import { PeftLabError } from '../../../../src-shared/errors';
import type { ModelConfig } from '../config';
import { llama } from './llama';
import { mistral } from './mistral';
import { qwen2 } from './qwen2';
import type { Architecture } from './types';

const registry = new Map<string, Architecture>();

export function registerArchitecture(arch: Architecture): void {
  registry.set(arch.modelType, arch);
}

export function supportedModelTypes(): string[] {
  return [...registry.keys()];
}

export function architectureFor(cfg: ModelConfig): Architecture {
  const arch = registry.get(cfg.modelType);
  if (!arch) {
    throw new PeftLabError('CONFIG_INVALID',
      `model_type "${cfg.modelType}" is not supported; supported: ${supportedModelTypes().join(', ')}`);
  }
  return arch;
}

for (const a of [llama, mistral, qwen2]) registerArchitecture(a);
