// Application settings as JSON values under string keys.
import type Database from 'better-sqlite3';
import type { Clock } from '../clock';
import { isoNow } from '../clock';
import { fromJson, toJson } from '../json';

export interface SettingsRepo {
  /** The stored value, or `fallback` when the key was never set. */
  get<T>(key: string, fallback: T): T;
  /** Stores any JSON value (null included); `undefined` deletes the key. */
  set(key: string, value: unknown): void;
}

export function createSettingsRepo(db: Database.Database, clock: Clock): SettingsRepo {
  const one = db.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?');
  const put = db.prepare<[string, string, string]>(`INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`);
  const del = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  return {
    get<T>(key: string, fallback: T): T {
      const row = one.get(key);
      return row ? fromJson<T>(row.value_json) : fallback;
    },
    set(key, value) {
      if (value === undefined) del.run(key);
      else put.run(key, toJson(value), isoNow(clock));
    },
  };
}
