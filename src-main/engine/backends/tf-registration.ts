// Puts an already-constructed backend instance into TensorFlow.js's registry under `name`, replacing whatever
// factory was registered for that name (the wasm and webgpu packages register their own factories on import; we
// construct the instance ourselves so that a failure surfaces with its real error, not as a console warning).
import * as tf from '@tensorflow/tfjs';

export function installBackendInstance(name: string, instance: tf.KernelBackend, priority: number): void {
  if (tf.findBackendFactory(name) !== null) tf.removeBackend(name);
  tf.registerBackend(name, () => instance, priority);
}
