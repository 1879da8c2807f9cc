// Which Hugging Face token a download uses, and where a token given in the app is kept. Order: the one given with
// the request (CLI --token, the app's token box), $HF_TOKEN, the one kept by the app (TokenVault), Python's token
// file (`hf auth login`). The app never writes a token to its SQLite store: in the desktop the vault is the OS
// keychain through Electron's safeStorage (src-main/shell/token-store.ts), in web and CLI mode memory for the
// session.
import * as fs from 'node:fs';
import type { HubTokenSource, HubTokenStatus } from '../../src-shared/domain/hub';
import { HubTokenSchema } from '../../src-shared/domain/hub';
import { PeftLabError } from '../../src-shared/errors';
import { pythonTokenPath } from './locations';

export interface TokenVault {
  readonly storage: HubTokenStatus['storage'];
  get(): Promise<string | null>;
  /** Keeps `token` (null forgets it). */
  set(token: string | null): Promise<void>;
}

export class MemoryVault implements TokenVault {
  readonly storage = 'memory' as const;
  private token: string | null = null;

  get(): Promise<string | null> {
    return Promise.resolve(this.token);
  }

  set(token: string | null): Promise<void> {
    this.token = token;
    return Promise.resolve();
  }
}

let installed: TokenVault | null = null;

/** The desktop's host installs the keychain-backed vault at start; everywhere else a memory vault is used. */
export function installTokenVault(vault: TokenVault): void {
  installed = vault;
}

export function defaultTokenVault(): TokenVault {
  return (installed ??= new MemoryVault());
}

export function checkToken(token: string, where: string): string {
  const r = HubTokenSchema.safeParse(token);
  if (!r.success) throw new PeftLabError('BAD_ARGUMENT', `${where}: ${r.error.issues[0].message}`);
  return r.data;
}

function readTokenFile(): string | null {
  try {
    const t = fs.readFileSync(pythonTokenPath(), 'utf8').trim();
    return t === '' ? null : t;
  } catch {
    return null;
  }
}

/** The token to use and where it came from (null, null: none anywhere). */
export async function resolveToken(explicit: string | undefined, vault: TokenVault): Promise<{ token: string | null; source: HubTokenSource | null }> {
  if (explicit) return { token: checkToken(explicit, 'token'), source: 'request' };
  const env = process.env.HF_TOKEN?.trim();
  if (env) return { token: checkToken(env, 'HF_TOKEN'), source: 'env' };
  const kept = await vault.get();
  if (kept) return { token: kept, source: 'app' };
  const file = readTokenFile();
  if (file) return { token: checkToken(file, pythonTokenPath()), source: 'file' };
  return { token: null, source: null };
}
