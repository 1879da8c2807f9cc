// Time stamps in the store: ISO-8601 UTC strings ("2025-01-02T03:04:05.678Z"), from an injectable clock.

export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function isoNow(clock: Clock): string {
  return clock().toISOString();
}
