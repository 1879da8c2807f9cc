// The adapters' public face: the method registry (built-in methods included) and the shared types.
export { adapterMethod, adapterMethodNames, methodForPeftConfig, registerAdapterMethod } from './registry';
export type { AdapterMethod, InjectedAdapter, PlannedTensor } from './types';
