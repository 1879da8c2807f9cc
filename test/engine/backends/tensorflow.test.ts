// How tfjs-node load failures become reasons a person can act on (the package cannot install here, so the
// classification is tested on the errors Node and tfjs-node actually throw).
import { describe, expect, it } from 'vitest';
import { explainNodeBindingFailure } from '../../../src-main/engine/backends/tensorflow';

function nodeError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('tensorflow backend failure reasons', () => {
  it('not installed (npm dropped the optional dependency)', () => {
    const esm = nodeError("Cannot find package '@tensorflow/tfjs-node-gpu' imported from /x.js", 'ERR_MODULE_NOT_FOUND');
    expect(explainNodeBindingFailure('@tensorflow/tfjs-node-gpu', esm)).toBe('@tensorflow/tfjs-node-gpu is not installed');
    const cjs = nodeError("Cannot find module '@tensorflow/tfjs-node'", 'MODULE_NOT_FOUND');
    expect(explainNodeBindingFailure('@tensorflow/tfjs-node', cjs)).toBe('@tensorflow/tfjs-node is not installed');
  });

  it('installed without its binding (install script could not download libtensorflow)', () => {
    const err = nodeError('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node. \n' +
      'Please run command \'npm rebuild @tensorflow/tfjs-node build-addon-from-source\' to rebuild the native addon module.');
    expect(explainNodeBindingFailure('@tensorflow/tfjs-node-gpu', err)).toMatch(/without its native binding.*libtensorflow/);
  });

  it('missing CUDA libraries', () => {
    const err = nodeError('libcudart.so.11.0: cannot open shared object file: No such file or directory');
    expect(explainNodeBindingFailure('@tensorflow/tfjs-node-gpu', err)).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
  });

  it('anything else keeps its message', () => {
    expect(explainNodeBindingFailure('@tensorflow/tfjs-node', new Error('boom'))).toBe('@tensorflow/tfjs-node failed to load: boom');
  });
});
