// The token vault of the desktop app's host: the token lives with the Electron shell, encrypted by the OS keychain
// (safeStorage, src-main/shell/token-store.ts); the host asks for it and hands a new one over its utility-process
// parent port. Messages of this exchange ('hf-token-…') are ignored by the rest of the control channel.
import { PeftLabError } from '../../src-shared/errors';
import type { TokenVault } from './token';

export interface VaultPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export type VaultRequest = { type: 'hf-token-get'; requestId: number } | { type: 'hf-token-save'; requestId: number; token: string | null };
export interface VaultReply {
  type: 'hf-token-reply';
  requestId: number;
  token?: string | null;
  error?: string;
}

export function isVaultRequest(m: unknown): m is VaultRequest {
  const r = m as Partial<VaultRequest> | null;
  return typeof r === 'object' && r !== null && typeof r.requestId === 'number' &&
    (r.type === 'hf-token-get' || (r.type === 'hf-token-save' && (r.token === null || typeof r.token === 'string')));
}

export class ShellTokenVault implements TokenVault {
  readonly storage = 'keychain' as const;
  private next = 1;
  private readonly waiting = new Map<number, (r: VaultReply) => void>();

  constructor(private readonly port: VaultPort, private readonly timeoutMs = 5000) {
    port.on('message', (event) => {
      const r = event.data as Partial<VaultReply> | null;
      if (r?.type === 'hf-token-reply' && typeof r.requestId === 'number') this.waiting.get(r.requestId)?.(r as VaultReply);
    });
  }

  private ask(m: { type: 'hf-token-get' } | { type: 'hf-token-save'; token: string | null }): Promise<VaultReply> {
    const requestId = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new PeftLabError('INTERNAL', 'the desktop shell did not answer about the Hugging Face token (keychain); try again'));
      }, this.timeoutMs);
      this.waiting.set(requestId, (r) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        if (r.error) reject(new PeftLabError('BAD_ARGUMENT', `the token could not be kept in the OS keychain: ${r.error}`));
        else resolve(r);
      });
      this.port.postMessage({ ...m, requestId });
    });
  }

  async get(): Promise<string | null> {
    return (await this.ask({ type: 'hf-token-get' })).token ?? null;
  }

  async set(token: string | null): Promise<void> {
    await this.ask({ type: 'hf-token-save', token });
  }
}
