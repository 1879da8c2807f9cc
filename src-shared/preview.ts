// A short, safe rendering of an untrusted value for error messages: JSON, cut to `max` characters. JSON.stringify
// recurses, so a value nested a few thousand levels deep (which JSON.parse accepts) would throw a RangeError while
// the error about it is being built; such values are named by their kind instead.

export function previewValue(v: unknown, max = 80): string {
  if (v === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return Array.isArray(v) ? 'a list nested too deep to show' : `an ${typeof v} too deep or unusual to show`;
  }
  if (s === undefined) return String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
