// The part of the HostClient the renderer's state uses: requests and pushed events. Typed as a Pick so unit tests
// can hand in a small fake.
import type { HostClient } from '../../src-shared/protocol/client';

export type Host = Pick<HostClient, 'request' | 'on'>;
