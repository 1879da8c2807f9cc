// How numbers read in the UI: parameter counts, bytes, durations, losses, rates. '—' stands for "not known yet".
export const NONE = '—';

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NONE : Math.round(n).toLocaleString('en-US');
}

/** 35,680 → "35.7K", 3.43e9 → "3.43B". */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [size, unit] of units) {
    if (Math.abs(n) >= size) return `${(n / size).toPrecision(3).replace(/\.?0+$/, '')}${unit}`;
  }
  return String(Math.round(n));
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return NONE;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return NONE;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatLoss(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NONE : v.toFixed(4);
}

export function formatRate(tokensPerSecond: number | null | undefined): string {
  return tokensPerSecond === null || tokensPerSecond === undefined || !Number.isFinite(tokensPerSecond) ? NONE : `${formatInt(tokensPerSecond)} tok/s`;
}

export function formatPercent(part: number | null, whole: number | null): string {
  if (part === null || whole === null || whole === 0) return NONE;
  const p = (100 * part) / whole;
  return `${p < 0.01 ? p.toExponential(1) : p.toPrecision(3)}%`;
}

/** A moment, short: the time alone when it is today, else day, month and time. Full text belongs in a title. */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return NONE;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time.slice(0, 5)}`;
}

/** The message of anything thrown, for an error line in the UI. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return JSON.stringify(err);
}
