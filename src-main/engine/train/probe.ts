// A short timing probe of a run spec (for the sweep pre-flight): the same data, model, adapter and optimizer as
// the real run, a few updates timed (after one warm-up update that compiles kernels), nothing written to disk.
import type { RunSpec } from '../../../src-shared/domain/run-spec';
import { adapterMethod } from '../adapters/index';
import { useBackend } from '../backends/index';
import type { BackendInfo } from '../backends/index';
import { loadModel } from '../model/load';
import { TextTokenizer } from '../model/tokenizer';
import * as path from 'node:path';
import { BatchIterator } from './batching';
import { prepareData } from './data-prep';
import { AdamW } from './optimizer';
import { trainStep, uniqueParams } from './step';

export async function probeStepSeconds(spec: RunSpec, specDir: string, steps: number): Promise<{ stepSeconds: number[]; backend: BackendInfo }> {
  const backend = await useBackend(spec.backend);
  const modelDir = path.resolve(specDir, spec.model);
  const tok = await TextTokenizer.fromDir(modelDir);
  const data = await prepareData(spec, specDir, tok);
  const model = await loadModel(modelDir, { base: spec.base });
  const method = adapterMethod(spec.method.method);
  const adapter = method.inject(model, method.parseConfig(spec.method, 'method'), { seed: spec.training.seed, tokenizer: tok });
  const params = uniqueParams(adapter.trainables());
  const optimizer = new AdamW(params);
  const iterator = new BatchIterator(data.train, data.batchOptions);
  const t = spec.training;
  const times: number[] = [];
  try {
    for (let step = 0; step <= steps; step++) {
      const batches = Array.from({ length: t.gradientAccumulation }, () => iterator.next());
      const t0 = performance.now();
      await trainStep(model, params, optimizer, batches, {
        step, lr: t.learningRate, seed: t.seed, maxGradNorm: t.maxGradNorm, gradientCheckpointing: t.gradientCheckpointing,
      });
      if (step > 0) times.push((performance.now() - t0) / 1000);
    }
  } finally {
    optimizer.dispose();
    adapter.remove();
    model.dispose();
  }
  return { stepSeconds: times, backend };
}
