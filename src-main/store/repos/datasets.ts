// Registered datasets, identified by path and content hash (an edited file is a new dataset).
import type Database from 'better-sqlite3';
import type { DatasetRecord } from '../../../src-shared/domain/records';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export type NewDataset = Omit<DatasetRecord, 'id' | 'createdAt'>;

export interface DatasetsRepo {
  list(): DatasetRecord[];
  get(id: number): DatasetRecord | null;
  byPathAndHash(path: string, sha256: string): DatasetRecord | null;
  insert(rec: NewDataset): DatasetRecord;
}

interface DatasetRow {
  id: number; name: string; path: string; format: DatasetRecord['format']; sha256: string; records: number;
  fields_json: string; bytes: number; created_at: string;
}

function toRecord(r: DatasetRow): DatasetRecord {
  return {
    id: r.id, name: r.name, path: r.path, format: r.format, sha256: r.sha256, records: r.records,
    fields: fromJson<string[]>(r.fields_json), bytes: r.bytes, createdAt: r.created_at,
  };
}

export function createDatasetsRepo(db: Database.Database, clock: Clock): DatasetsRepo {
  const all = db.prepare<[], DatasetRow>('SELECT * FROM datasets ORDER BY id');
  const one = db.prepare<[number], DatasetRow>('SELECT * FROM datasets WHERE id = ?');
  const byKey = db.prepare<[string, string], DatasetRow>('SELECT * FROM datasets WHERE path = ? AND sha256 = ?');
  const ins = db.prepare<[Record<string, unknown>], DatasetRow>(`INSERT INTO datasets
    (name, path, format, sha256, records, fields_json, bytes, created_at)
    VALUES (@name, @path, @format, @sha256, @records, @fields, @bytes, @createdAt) RETURNING *`);

  return {
    list: () => all.all().map(toRecord),
    get: (id) => { const r = one.get(id); return r ? toRecord(r) : null; },
    byPathAndHash: (path, sha256) => { const r = byKey.get(path, sha256); return r ? toRecord(r) : null; },
    insert: (rec) => toRecord(ins.get({ ...rec, fields: toJson(rec.fields), createdAt: isoNow(clock) }) as DatasetRow),
  };
}
