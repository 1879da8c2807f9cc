// The small control channel between the desktop shell (Electron main) and the host in its utility process, over
// the utility process's own parent port. It carries window connections (a MessagePort to serve), the quit
// confirmation's question (how many runs are in flight) and the shutdown handshake; the app's API never uses it.
export type ShellToHost =
  /** Sent with exactly one MessagePortMain: serve it as one connection. */
  | { type: 'connect' }
  | { type: 'in-flight'; requestId: number }
  | { type: 'shutdown' };

export type HostToShell =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'in-flight'; requestId: number; runs: number; labels: string[] }
  | { type: 'shutdown-done' };

/** The argv flag by which the shell passes the data folder (app.getPath('userData')). */
export const DATA_DIR_FLAG = '--peft-lab-data=';

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function asShellToHost(v: unknown): ShellToHost | null {
  const m = record(v);
  if (!m) return null;
  if (m.type === 'connect' || m.type === 'shutdown') return { type: m.type };
  if (m.type === 'in-flight' && typeof m.requestId === 'number') return { type: 'in-flight', requestId: m.requestId };
  return null;
}

export function asHostToShell(v: unknown): HostToShell | null {
  const m = record(v);
  if (!m) return null;
  if (m.type === 'ready' || m.type === 'shutdown-done') return { type: m.type };
  if (m.type === 'fatal' && typeof m.message === 'string') return { type: 'fatal', message: m.message };
  if (m.type === 'in-flight' && typeof m.requestId === 'number' && typeof m.runs === 'number' && Array.isArray(m.labels)) {
    return { type: 'in-flight', requestId: m.requestId, runs: m.runs, labels: m.labels.map(String) };
  }
  return null;
}

export function dataDirFromArgv(argv: readonly string[]): string | undefined {
  const arg = argv.find((a) => a.startsWith(DATA_DIR_FLAG));
  return arg ? arg.slice(DATA_DIR_FLAG.length) : undefined;
}
