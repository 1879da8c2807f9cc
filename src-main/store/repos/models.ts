// Registered base models (weights folders, or config.json only for planning), with the library's facts: weights
// quantisation, disk use, Hub source and the folder's fingerprint at registration (kept out of ModelRecord).
import type Database from 'better-sqlite3';
import { PeftLabError } from '../../../src-shared/errors';
import type { ModelQuantization, ModelRecord, ModelSource } from '../../../src-shared/domain/records';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, fromJsonOrNull, toJson, toJsonOrNull } from '../json';

/** The facts a registration stores; the library's (quantisation, disk use, source, fingerprint) may be left out. */
export type NewModel = Omit<ModelRecord, 'id' | 'createdAt' | 'quantization' | 'diskBytes' | 'source' | 'changed'> &
  Partial<Pick<ModelRecord, 'quantization' | 'diskBytes' | 'source'>> & { fingerprint?: unknown };

/** What a refresh or relocation rewrites. */
export type ModelUpdate = Partial<Omit<NewModel, 'fingerprint'>> & { fingerprint?: unknown };

export interface ModelsRepo {
  list(): ModelRecord[];
  get(id: number): ModelRecord | null;
  byPath(path: string): ModelRecord | null;
  insert(rec: NewModel): ModelRecord;
  update(id: number, fields: ModelUpdate): ModelRecord;
  /** The folder's fingerprint stored at registration (null for rows from before the library had one). */
  fingerprint(id: number): unknown;
  /** Deletes the model; refuses (PeftLabError) while runs use it. Returns false when there was no such model. */
  remove(id: number): boolean;
}

interface ModelRow {
  id: number; name: string; path: string; kind: ModelRecord['kind']; model_type: string; hidden_size: number;
  num_layers: number; vocab_size: number; params: number; has_tokenizer: number; has_chat_template: number;
  dtype: string | null; linear_modules_json: string; created_at: string;
  quantization: ModelQuantization | null; disk_bytes: number | null; source_json: string | null; fingerprint_json: string | null;
}

const COLUMNS: Record<keyof ModelUpdate, string> = {
  name: 'name', path: 'path', kind: 'kind', modelType: 'model_type', hiddenSize: 'hidden_size', numLayers: 'num_layers',
  vocabSize: 'vocab_size', params: 'params', hasTokenizer: 'has_tokenizer', hasChatTemplate: 'has_chat_template', dtype: 'dtype',
  linearModules: 'linear_modules_json', quantization: 'quantization', diskBytes: 'disk_bytes', source: 'source_json', fingerprint: 'fingerprint_json',
};

/** A field's value as its column stores it. */
function columnValue(key: keyof ModelUpdate, v: unknown): unknown {
  if (key === 'hasTokenizer' || key === 'hasChatTemplate') return v ? 1 : 0;
  if (key === 'linearModules') return toJson(v);
  if (key === 'source' || key === 'fingerprint') return toJsonOrNull(v);
  return v;
}

function toRecord(r: ModelRow): ModelRecord {
  return {
    id: r.id, name: r.name, path: r.path, kind: r.kind, modelType: r.model_type, hiddenSize: r.hidden_size,
    numLayers: r.num_layers, vocabSize: r.vocab_size, params: r.params, hasTokenizer: r.has_tokenizer === 1,
    hasChatTemplate: r.has_chat_template === 1, dtype: r.dtype, linearModules: fromJson<string[]>(r.linear_modules_json),
    createdAt: r.created_at, quantization: r.quantization ?? 'none', diskBytes: r.disk_bytes ?? null,
    source: fromJsonOrNull<ModelSource>(r.source_json ?? null), changed: null,
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
     dtype, linear_modules_json, created_at, quantization, disk_bytes, source_json, fingerprint_json)
    VALUES (@name, @path, @kind, @modelType, @hiddenSize, @numLayers, @vocabSize, @params, @hasTokenizer,
     @hasChatTemplate, @dtype, @linearModules, @createdAt, @quantization, @diskBytes, @source, @fingerprint) RETURNING *`);
  const fp = db.prepare<[number], { fingerprint_json: string | null }>('SELECT fingerprint_json FROM models WHERE id = ?');
  const updates = new Map<string, Database.Statement>();

  return {
    list: () => all.all().map(toRecord),
    get: (id) => { const r = one.get(id); return r ? toRecord(r) : null; },
    byPath: (path) => { const r = onePath.get(path); return r ? toRecord(r) : null; },
    insert(rec) {
      const row = ins.get({
        ...rec, hasTokenizer: rec.hasTokenizer ? 1 : 0, hasChatTemplate: rec.hasChatTemplate ? 1 : 0,
        linearModules: toJson(rec.linearModules), createdAt: isoNow(clock), quantization: rec.quantization ?? null,
        diskBytes: rec.diskBytes ?? null, source: toJsonOrNull(rec.source), fingerprint: toJsonOrNull(rec.fingerprint),
      });
      return toRecord(row as ModelRow);
    },
    update(id, fields) {
      const keys = (Object.keys(fields) as (keyof ModelUpdate)[]).filter((k) => k in COLUMNS && fields[k] !== undefined).sort();
      let row: ModelRow | undefined;
      if (keys.length === 0) row = one.get(id);
      else {
        const sql = `UPDATE models SET ${keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ')} WHERE id = @id RETURNING *`;
        let stmt = updates.get(sql);
        if (!stmt) updates.set(sql, (stmt = db.prepare(sql)));
        row = stmt.get({ id, ...Object.fromEntries(keys.map((k) => [k, columnValue(k, fields[k])])) }) as ModelRow | undefined;
      }
      if (!row) throw new PeftLabError('BAD_ARGUMENT', `no model with id ${id}`, { modelId: id });
      return toRecord(row);
    },
    fingerprint: (id) => fromJsonOrNull<unknown>(fp.get(id)?.fingerprint_json ?? null),
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
