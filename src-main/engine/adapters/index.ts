// Registers the built-in methods. Import this module (not the registry) to get them.
import { lora } from './lora/inject';
import { registerAdapterMethod } from './registry';

registerAdapterMethod(lora);

export { adapterMethod, adapterMethodNames, methodForPeftConfig } from './registry';
export type { AdapterMethod, InjectedAdapter, PlannedTensor } from './types';
