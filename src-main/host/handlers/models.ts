// models/*: the model library. Register a Hugging Face folder (with weights, or a config.json-only model card),
// list (each folder checked against the fingerprint stored at registration, so a changed or vanished folder shows),
// remove, relocate (a folder that moved: same files by name and size), refresh (read a changed folder again).
// Registration checks what can be checked cheaply: config.json, the checkpoint's tensor names and shapes (headers
// only), tokenizer and chat-template presence, the weights' quantisation and the folder's disk use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelRecord, ModelSource } from '../../../src-shared/domain/records';
import { PeftLabError } from '../../../src-shared/errors';
import { checkpointDtype, listCheckpointTensors } from '../../engine/model/checkpoint';
import { readModelInfo } from '../../engine/model/load';
import type { ModelInfo } from '../../engine/model/load';
import { baseParameterCount } from '../../engine/plan/params';
import type { Fingerprint } from '../../hub/folder';
import { describeChange, folderDiskBytes, folderFingerprint, quantizationOf } from '../../hub/folder';
import type { NewModel } from '../../store/repos/models';
import { checkModelFolderFiles, checkPathText, MODEL_JSON_MAX_BYTES } from '../safe-files';
import type { HostServices } from '../services';
import type { Handler, HandlerMap } from './types';

export function checkWeights(info: ModelInfo, tensors: { name: string; shape: number[] }[], quantised: boolean): void {
  const expected = info.arch.expectedWeights(info.config);
  // bitsandbytes stores the decoder's linear weights packed (other shapes): only their presence is checked here.
  const packed = new Set(quantised ? info.arch.linearModules(info.config).filter((m) => m.name !== 'lm_head').map((m) => `${m.name}.weight`) : []);
  const have = new Map(tensors.map((t) => [t.name, t.shape]));
  for (const [name, shape] of expected) {
    const got = have.get(name);
    if (!got) {
      if (name === 'lm_head.weight' && info.config.tieWordEmbeddings) continue;
      throw new PeftLabError('CHECKPOINT_MISMATCH', `${info.dir}: the weights have no tensor ${name} that config.json requires; the folder mixes files of different models`);
    }
    if (!packed.has(name) && got.join(',') !== shape.join(',')) {
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

/** Everything registration stores about a folder, checked; throws with the problem when it cannot be used. */
export async function inspectFolder(dir: string): Promise<Omit<NewModel, 'name' | 'source'>> {
  await checkModelFolderFiles(dir);
  const info = await readModelInfo(dir);
  const quantization = quantizationOf(info.config.raw, path.join(dir, 'config.json'));
  let dtype: string | null = null;
  if (info.hasWeights) {
    checkWeights(info, await listCheckpointTensors(dir), quantization !== 'none');
    dtype = (await checkpointDtype(dir)).dominant;
  }
  const fingerprint = folderFingerprint(dir);
  return {
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
    quantization, diskBytes: folderDiskBytes(fingerprint), fingerprint,
  };
}

/**
 * The record with `changed` and the disk use as the folder is now (rows from before the library get a baseline; the
 * fingerprint is one readdir and a stat per file, cheap enough for every listing).
 */
export function withFolderStatus(s: HostServices, rec: ModelRecord): ModelRecord {
  const stored = s.store.models.fingerprint(rec.id) as Fingerprint | null;
  const now = folderFingerprint(rec.path);
  if (stored === null) {
    if (now === null) return { ...rec, changed: describeChange({ files: [] }, null) };
    const disk = folderDiskBytes(now);
    let quantization = rec.quantization;
    try {
      // Only a regular file of sane size: a FIFO here would block the host, a device would exhaust its memory.
      const file = path.join(rec.path, 'config.json');
      const st = fs.statSync(file);
      if (st.isFile() && st.size <= MODEL_JSON_MAX_BYTES) {
        quantization = quantizationOf(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, rec.path);
      }
    } catch {
      /* kept as stored; a refresh will say what is wrong */
    }
    return { ...s.store.models.update(rec.id, { fingerprint: now, diskBytes: disk, quantization }), diskBytes: disk };
  }
  return { ...rec, diskBytes: folderDiskBytes(now) ?? rec.diskBytes, changed: describeChange(stored, now) };
}

/** Registers `dir` (or returns its record; a folder that changed since is read again). */
export async function registerFolder(s: HostServices, dir: string, name?: string, source?: ModelSource): Promise<ModelRecord> {
  const existing = s.store.models.byPath(dir);
  if (existing) {
    const status = withFolderStatus(s, existing);
    if (status.changed === null && (!source || existing.source)) return status;
    const rec = s.store.models.update(existing.id, { ...(await inspectFolder(dir)), ...(source ? { source } : {}) });
    s.bus.emit('models/changed', null);
    return rec;
  }
  const created = s.store.models.insert({ name: name ?? path.basename(dir), ...(await inspectFolder(dir)), source: source ?? null });
  s.bus.emit('models/changed', null);
  return created;
}

export const registerModel: Handler<'models/register'> = ({ path: p, name }, { s }) => {
  checkPathText(p, 'models/register path');
  return registerFolder(s, path.resolve(p), name);
};

function modelOrThrow(s: HostServices, id: number): ModelRecord {
  const m = s.store.models.get(id);
  if (!m) throw new PeftLabError('BAD_ARGUMENT', `no model with id ${id}; list the models to see their ids`, { modelId: id });
  return m;
}

const relocate: Handler<'models/relocate'> = async ({ id, path: p }, { s }) => {
  const m = modelOrThrow(s, id);
  const dir = path.resolve(p);
  const other = s.store.models.byPath(dir);
  if (other && other.id !== id) throw new PeftLabError('BAD_ARGUMENT', `${dir} is already registered as model "${other.name}" (id ${other.id})`);
  const stored = s.store.models.fingerprint(id) as Fingerprint | null;
  const now = folderFingerprint(dir);
  if (now === null) throw new PeftLabError('FILE_NOT_FOUND', `${dir} is not a folder; pass the folder the model "${m.name}" moved to`);
  const diff = stored ? describeChange(stored, now, false) : null;
  if (diff !== null) {
    throw new PeftLabError('CHECKPOINT_MISMATCH', `${dir} does not hold the files of model "${m.name}" as registered (${diff}); register it as a new model instead, or refresh after relocating`);
  }
  const rec = s.store.models.update(id, { ...(await inspectFolder(dir)) });
  s.bus.emit('models/changed', null);
  return rec;
};

const refresh: Handler<'models/refresh'> = async ({ id }, { s }) => {
  const m = modelOrThrow(s, id);
  const rec = s.store.models.update(id, await inspectFolder(m.path));
  s.bus.emit('models/changed', null);
  return rec;
};

export const modelHandlers: Pick<HandlerMap, 'models/list' | 'models/register' | 'models/remove' | 'models/relocate' | 'models/refresh'> = {
  'models/list': (_p, { s }) => s.store.models.list().map((m) => withFolderStatus(s, m)),
  'models/register': registerModel,
  'models/remove': ({ id }, { s }) => {
    s.store.models.remove(id);
    s.bus.emit('models/changed', null);
    return null;
  },
  'models/relocate': relocate,
  'models/refresh': refresh,
};
