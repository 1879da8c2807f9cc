// datasets/*: register a data file (hashed, counted, its columns listed), list, and preview the first examples
// exactly as the model will see them: the template applied, tokenized, truncation marked.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFormatOf } from '../../../src-shared/domain/data';
import type { DatasetRecord } from '../../../src-shared/domain/records';
import { PeftLabError } from '../../../src-shared/errors';
import { TextTokenizer } from '../../engine/model/tokenizer';
import { loadRecords } from '../../engine/train/dataset';
import { renderExample, templateFields } from '../../engine/train/templates';
import { tokenizeExample } from '../../engine/train/tokenize';
import { checkDataFile, checkModelFolderFiles, checkPathText } from '../safe-files';
import type { Handler, HandlerMap } from './types';

export const registerDataset: Handler<'datasets/register'> = async ({ path: p, name, format }, { s }) => {
  checkPathText(p, 'datasets/register path');
  const file = path.resolve(p);
  await checkDataFile(file);
  const bytes = fs.readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const existing = s.store.datasets.byPathAndHash(file, sha256);
  if (existing) return existing;
  const fmt = datasetFormatOf({ path: file, format });
  const records = await loadRecords({ path: file, format: fmt });
  const fields = new Set<string>();
  for (const r of records.slice(0, 200)) for (const k of Object.keys(r)) fields.add(k);
  const rec: Omit<DatasetRecord, 'id' | 'createdAt'> = {
    name: name ?? path.basename(file), path: file, format: fmt, sha256, records: records.length, fields: [...fields], bytes: bytes.length,
  };
  const created = s.store.datasets.insert(rec);
  s.bus.emit('datasets/changed', null);
  return created;
};

const preview: Handler<'datasets/preview'> = async (p, { s }) => {
  const ds = s.store.datasets.get(p.datasetId);
  const model = s.store.models.get(p.modelId);
  if (!ds) throw new PeftLabError('BAD_ARGUMENT', `dataset ${p.datasetId} is not registered`);
  if (!model) throw new PeftLabError('BAD_ARGUMENT', `model ${p.modelId} is not registered`);
  if (!model.hasTokenizer) throw new PeftLabError('TOKENIZER_INVALID', `${model.path} has no tokenizer.json, so its inputs cannot be shown; register a model folder with its tokenizer`);
  await checkModelFolderFiles(model.path);
  await checkDataFile(ds.path);
  const tok = await TextTokenizer.fromDir(model.path);
  const records = await loadRecords({ path: ds.path, format: ds.format, fields: p.fields }, undefined, templateFields(p.template, true));
  let truncated = 0;
  let dropped = 0;
  const examples: Awaited<ReturnType<Handler<'datasets/preview'>>>['examples'] = [];
  records.forEach((record, index) => {
    if (examples.length >= p.count) return;
    const pr = renderExample(p.template, record, tok);
    const t = tokenizeExample(tok, pr, p.sequence);
    if (t.truncated) truncated++;
    if (t.numTargets === 0) dropped++;
    const promptTokens = t.labels.filter((l) => l === -100).length;
    examples.push({ index, record, prompt: pr.prompt, response: pr.response, promptTokens, responseTokens: t.inputIds.length - promptTokens, truncated: t.truncated });
  });
  return { examples, total: records.length, truncated, droppedNoTarget: dropped };
};

export const datasetHandlers: Pick<HandlerMap, 'datasets/list' | 'datasets/register' | 'datasets/preview'> = {
  'datasets/list': (_p, { s }) => s.store.datasets.list(),
  'datasets/register': registerDataset,
  'datasets/preview': preview,
};
