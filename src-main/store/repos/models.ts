// Registered base models (weights folders, or config.json only for planning).
import type Database from 'better-sqlite3';
import { PeftLabError } from '../../../src-shared/errors';
import type { ModelRecord } from '../../../src-shared/domain/records';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export type NewModel = Omit<ModelRecord, 'id' | 'createdAt'>;

export interface ModelsRepo {
  list(): ModelRecord[];
  get(id: number): ModelRecord | null;
  byPath(path: string): ModelRecord | null;
  insert(rec: NewModel): ModelRecord;
  /** Deletes the model; refuses (PeftLabError) while runs use it. Returns false when there was no such model. */
  remove(id: number): boolean;
}

interface ModelRow {
  id: number; name: string; path: string; kind: ModelRecord['kind']; model_type: string; hidden_size: number;
  num_layers: number; vocab_size: number; params: number; has_tokenizer: number; has_chat_template: number;
  dtype: string | null; linear_modules_json: string; created_at: string;
}

function toRecord(r: ModelRow): ModelRecord {
  return {
    id: r.id, name: r.name, path: r.path, kind: r.kind, modelType: r.model_type, hiddenSize: r.hidden_size,
    numLayers: r.num_layers, vocabSize: r.vocab_size, params: r.params, hasTokenizer: r.has_tokenizer === 1,
    hasChatTemplate: r.has_chat_template === 1, dtype: r.dtype, linearModules: fromJson<string[]>(r.linear_modules_json),
    createdAt: r.created_at,
  };
}

export function createModelsRepo(db: Database.Database, clock: Clock): ModelsRepo {
  const all = db.prepare<[], ModelRow>('SELECT * FROM models ORDER BY id');
  const one = db.prepare<[number], ModelRow>('SELECT * FROM models WHERE id = ?');
  const onePath = db.prepare<[string], ModelRow>('SELECT * FROM models WHERE path = ?');
  const usedBy = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM runs WHERE model_id = ?');
  const del = db.prepare<[number]>('DELETE FROM models WHERE id = ?');
  const ins = db.prepare<[Record<string, unknown>], ModelRow>(`INSERT INTO models
    (name, path, kind, model_type, hidden_size, num_layers, vocab_size, params, has_tokenizer, has_chat_template,
     dtype, linear_modules_json, created_at)
    VALUES (@name, @path, @kind, @modelType, @hiddenSize, @numLayers, @vocabSize, @params, @hasTokenizer,
     @hasChatTemplate, @dtype, @linearModules, @createdAt) RETURNING *`);

  return {
    list: () => all.all().map(toRecord),
    get: (id) => { const r = one.get(id); return r ? toRecord(r) : null; },
    byPath: (path) => { const r = onePath.get(path); return r ? toRecord(r) : null; },
    insert(rec) {
      const row = ins.get({
        ...rec, hasTokenizer: rec.hasTokenizer ? 1 : 0, hasChatTemplate: rec.hasChatTemplate ? 1 : 0,
        linearModules: toJson(rec.linearModules), createdAt: isoNow(clock),
      });
      return toRecord(row as ModelRow);
    },
    remove: db.transaction((id: number): boolean => {
      const model = one.get(id);
      if (!model) return false;
      const { n } = usedBy.get(id) as { n: number };
      if (n > 0) {
        throw new PeftLabError('BAD_ARGUMENT', `The model "${model.name}" is used by ${n} run${n === 1 ? '' : 's'}; ` +
          'delete the sweeps that use it first, then remove the model.', { modelId: id, runs: n });
      }
      del.run(id);
      return true;
    }),
  };
}
