// Row counts of an in-process host's store, to show that refused requests stored nothing (not even half a row).
import type { HostCore } from '../../src-main/host/host';

const TABLES = ['models', 'datasets', 'sweeps', 'runs', 'metrics', 'artifacts', 'run_events', 'review_prompts', 'samples', 'ratings', 'judgements', 'notes', 'tags'] as const;

/** COUNT(*) of every table a request could write, by name (tables this schema lacks are left out). */
export function storeCounts(host: HostCore): Record<string, number> {
  const db = host.services.store.db;
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const out: Record<string, number> = {};
  for (const t of TABLES) if (present.has(t)) out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return out;
}
