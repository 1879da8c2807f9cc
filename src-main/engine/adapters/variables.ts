import * as tf from '@tensorflow/tfjs';
// tfjs variable names are global to the engine; several adapters (or several models in one test process) may
// hold the same PEFT key, so each variable gets a unique suffix.
let counter = 0;

export function uniqueVariableName(key: string): string {
  counter += 1;
  return `${key}#${counter}`;
}

/** A variable (trainable unless said otherwise) holding `init`'s values; `init` itself is disposed (the variable keeps the data). */
export function variableFrom(init: tf.Tensor, key: string, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable, uniqueVariableName(key));
  init.dispose();
  return v;
}
