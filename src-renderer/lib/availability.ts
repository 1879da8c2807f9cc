// How a pre-flight availability reads: its badge tone and text, and its reason.
import type { CellAvailability } from '../../src-shared/domain/preflight';

export type AvailabilityTone = 'ok' | 'neutral' | 'bad' | 'violet';

export function availabilityTone(a: CellAvailability): AvailabilityTone {
  switch (a.state) {
    case 'ok':
      return 'ok';
    case 'unavailable':
      return 'neutral';
    case 'impossible':
      return 'bad';
    case 'duplicate':
      return 'violet';
  }
}

export function availabilityReason(a: CellAvailability): string {
  return a.state === 'ok' ? '' : a.reason;
}
