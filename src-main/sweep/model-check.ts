// Whether a model folder can train, checked before anything is queued (pre-flight, sweep launch, `peft-lab train`)
// so that no run fails half-way for a reason visible up front: a folder that is not a model, an unsupported
// architecture, no weights (a model card), weights that do not match config.json, no tokenizer, and a method whose
// target modules this architecture does not have (the message lists the module names it does have).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MethodConfig } from '../../src-shared/domain/methods';
import { isPeftLabError, PeftLabError } from '../../src-shared/errors';
import { adapterMethod } from '../engine/adapters/index';
import { listCheckpointTensors } from '../engine/model/checkpoint';
import { readModelInfo } from '../engine/model/load';
import type { ModelInfo } from '../engine/model/load';
import { planParameters } from '../engine/plan/params';
import { quantizationOf } from '../hub/folder';
import { checkWeights } from '../host/handlers/models';

/** Why `dir` cannot train (empty: it can). Configuration problems come back as text, never thrown. */
export async function modelRunProblems(dir: string): Promise<{ info: ModelInfo | null; problems: string[] }> {
  let info: ModelInfo;
  try {
    info = await readModelInfo(dir);
  } catch (e) {
    if (isPeftLabError(e)) return { info: null, problems: [e.message] };
    throw e;
  }
  const problems: string[] = [];
  if (!info.hasWeights) {
    problems.push(`${dir} has a config.json but no weights (model.safetensors or model.safetensors.index.json): it can plan a sweep but not train; download the full model (peft-lab download REPO_ID) or register the folder with its weights`);
  } else {
    try {
      checkWeights(info, await listCheckpointTensors(dir), quantizationOf(info.config.raw, path.join(dir, 'config.json')) !== 'none');
    } catch (e) {
      if (!isPeftLabError(e)) throw e;
      problems.push(e.message);
    }
  }
  if (!fs.existsSync(path.join(dir, 'tokenizer.json'))) {
    problems.push(`${dir} has no tokenizer.json, which training needs to turn the dataset into tokens; add the tokenizer files of this model (a Hub download includes them)`);
  }
  return { info, problems };
}

/** The problem of training `method` on this architecture (unknown target modules, a rank too large…), or null. */
export function methodProblem(info: ModelInfo, method: MethodConfig, where: string): string | null {
  try {
    const m = adapterMethod(method.method);
    planParameters(info, m, m.parseConfig(method, where));
    return null;
  } catch (e) {
    if (isPeftLabError(e)) return e.message;
    throw e;
  }
}

/** Throws one SPEC_INVALID error naming every problem (and the method's, when given) when `dir` cannot train. */
export async function assertModelRunnable(dir: string, method?: MethodConfig): Promise<void> {
  const { info, problems } = await modelRunProblems(dir);
  if (info && method) {
    const p = methodProblem(info, method, 'method');
    if (p) problems.push(p);
  }
  if (problems.length) {
    throw new PeftLabError('SPEC_INVALID', `the model cannot be trained: ${problems.join('; ')}`, { model: dir, problems });
  }
}
