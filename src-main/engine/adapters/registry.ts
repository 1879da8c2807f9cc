// Fine-tuning methods are registered here (the built-in ones at the end of this file); nothing else switches on
// a method name. A new method is one folder under adapters/ and one registerAdapterMethod call.
import { PeftLabError } from '../../../src-shared/errors';
import { previewValue } from '../../../src-shared/preview';
import { fullFineTune } from './full/inject';
import { ia3 } from './ia3/inject';
import { lora } from './lora/inject';
import { mora } from './mora/inject';
import { prefixTuning } from './prefix/inject';
import { promptTuning } from './prompt/inject';
import type { AdapterMethod } from './types';

const methods = new Map<string, AdapterMethod>();

export function registerAdapterMethod(m: AdapterMethod): void {
  methods.set(m.name, m);
}

export function adapterMethod(name: string): AdapterMethod {
  const m = methods.get(name);
  if (!m) {
    throw new PeftLabError('BAD_ARGUMENT', `unknown method "${name}"; available: ${[...methods.keys()].join(', ')}`);
  }
  return m;
}

export function adapterMethodNames(): string[] {
  return [...methods.keys()];
}

/** The method that wrote an adapter_config.json. */
export function methodForPeftConfig(json: Record<string, unknown>, file: string): AdapterMethod {
  for (const m of methods.values()) if (m.matchesPeftConfig(json)) return m;
  throw new PeftLabError('ADAPTER_INVALID',
    `${file}: peft_type ${previewValue(json.peft_type)} is not supported; supported: ${[...new Set([...methods.values()].map((m) => m.peftType))].join(', ')}`);
}

registerAdapterMethod(lora);
registerAdapterMethod(mora);
registerAdapterMethod(ia3);
registerAdapterMethod(promptTuning);
registerAdapterMethod(prefixTuning);
registerAdapterMethod(fullFineTune);
