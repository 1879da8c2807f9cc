// The Hugging Face token of the desktop app, encrypted with Electron's safeStorage (the OS keychain: Keychain on
// macOS, DPAPI on Windows, libsecret/kwallet on Linux) in a file of the data folder, never in clear and never in the
// database. The host (utility process) asks for it and hands new ones over the control channel (hub/shell-vault.ts).
import * as fs from 'node:fs';
import { safeStorage } from 'electron';
import { isVaultRequest } from '../hub/shell-vault';
import type { VaultReply } from '../hub/shell-vault';

export class TokenStore {
  constructor(private readonly file: string) {}

  read(): string | null {
    if (!fs.existsSync(this.file)) return null;
    if (!safeStorage.isEncryptionAvailable()) return null;
    return safeStorage.decryptString(fs.readFileSync(this.file));
  }

  write(token: string | null): void {
    if (token === null) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('no OS keychain is available (on Linux: install and unlock gnome-keyring or kwallet); give the token with each download or set HF_TOKEN instead');
    }
    fs.writeFileSync(this.file, safeStorage.encryptString(token), { mode: 0o600 });
  }
}

export interface ChildLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

/** Answers the host's token requests (get, save) from `store`. */
export function serveTokenStore(child: ChildLike, store: TokenStore): void {
  child.on('message', (m) => {
    if (!isVaultRequest(m)) return;
    const reply: VaultReply = { type: 'hf-token-reply', requestId: m.requestId };
    try {
      if (m.type === 'hf-token-get') reply.token = store.read();
      else store.write(m.token);
    } catch (e) {
      reply.error = (e as Error).message;
    }
    child.postMessage(reply);
  });
}
