// models/*: register a Hugging Face folder (with weights, or a config.json-only model card), list, remove.
// Registration checks what can be checked cheaply: config.json, the checkpoint's tensor names and shapes
// (headers only), tokenizer presence.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelRecord } from '../../../src-shared/domain/records';
import { PeftLabError } from '../../../src-shared/errors';
import { checkpointDtype, listCheckpointTensors } from '../../engine/model/checkpoint';
import { readModelInfo } from '../../engine/model/load';
import type { ModelInfo } from '../../engine/model/load';
import { baseParameterCount } from '../../engine/plan/params';
import type { Handler, HandlerMap } from './types';

function checkWeights(info: ModelInfo, tensors: { name: string; shape: number[] }[]): void {
  const expected = info.arch.expectedWeights(info.config);
  const have = new Map(tensors.map((t) => [t.name, t.shape]));
  for (const [name, shape] of expected) {
    const got = have.get(name);
    if (!got) {
      if (name === 'lm_head.weight' && info.config.tieWordEmbeddings) continue;
      throw new PeftLabError('CHECKPOINT_MISMATCH', `${info.dir}: the weights have no tensor ${name} that config.json requires; the folder mixes files of different models`);
    }
    if (got.join(',') !== shape.join(',')) {
      throw new PeftLabError('CHECKPOINT_MISMATCH', `${info.dir}: tensor ${name} has shape [${got.join(', ')}] but config.json implies [${shape.join(', ')}]`);
    }
  }
}

function hasChatTemplate(dir: string): boolean {
  if (fs.existsSync(path.join(dir, 'chat_template.jinja'))) return true;
  try {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as { chat_template?: unknown };
    return Boolean(cfg.chat_template);
  } catch {
    return false;
  }
}

export const registerModel: Handler<'models/register'> = async ({ path: p, name }, { s }) => {
  const dir = path.resolve(p);
  const existing = s.store.models.byPath(dir);
  if (existing) return existing;
  const info = await readModelInfo(dir);
  let dtype: string | null = null;
  if (info.hasWeights) {
    checkWeights(info, await listCheckpointTensors(dir));
    dtype = (await checkpointDtype(dir)).dominant;
  }
  const rec: Omit<ModelRecord, 'id' | 'createdAt'> = {
    name: name ?? path.basename(dir),
    path: dir,
    kind: info.hasWeights ? 'weights' : 'config',
    modelType: info.config.modelType,
    hiddenSize: info.config.hiddenSize,
    numLayers: info.config.numHiddenLayers,
    vocabSize: info.config.vocabSize,
    params: baseParameterCount(info),
    hasTokenizer: fs.existsSync(path.join(dir, 'tokenizer.json')),
    hasChatTemplate: hasChatTemplate(dir),
    dtype,
    linearModules: [...new Set(info.arch.linearModules(info.config).map((m) => m.shortName))],
  };
  const created = s.store.models.insert(rec);
  s.bus.emit('models/changed', null);
  return created;
};

export const modelHandlers: Pick<HandlerMap, 'models/list' | 'models/register' | 'models/remove'> = {
  'models/list': (_p, { s }) => s.store.models.list(),
  'models/register': registerModel,
  'models/remove': ({ id }, { s }) => {
    s.store.models.remove(id);
    s.bus.emit('models/changed', null);
    return null;
  },
};
