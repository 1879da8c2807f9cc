// Where the Hub token lives: in the desktop the shell keeps it encrypted with safeStorage (a fake Electron here)
// and the host asks for it over the control channel; the order in which a download picks a token (request,
// $HF_TOKEN, the app's vault, Python's token file); a token never stored without a keychain.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ShellTokenVault } from '../../src-main/hub/shell-vault';
import { MemoryVault, resolveToken } from '../../src-main/hub/token';
import { serveTokenStore, TokenStore } from '../../src-main/shell/token-store';

const keychain = vi.hoisted(() => ({ available: true }));
vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => keychain.available,
    // A stand-in cipher: the bytes reversed and XORed, so the file never holds the token as written.
    encryptString: (s: string) => Buffer.from([...Buffer.from(s)].reverse().map((b) => b ^ 0x5a)),
    decryptString: (b: Buffer) => Buffer.from([...b].reverse().map((x) => x ^ 0x5a)).toString(),
  },
}));

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-token-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The shell's utility-process object and the host's parentPort, joined in memory as Electron joins them. */
function channel(): { child: EventEmitter & { postMessage(m: unknown): void }; port: EventEmitter & { postMessage(m: unknown): void } } {
  const child = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void };
  const port = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void };
  child.postMessage = (m) => setImmediate(() => port.emit('message', { data: m, ports: [] })); // shell → host
  port.postMessage = (m) => setImmediate(() => child.emit('message', m)); // host → shell
  return { child, port };
}

beforeEach(() => {
  keychain.available = true;
});

describe('desktop: the OS keychain through the shell', () => {
  it('keeps the token encrypted in the data folder and gives it to the next host process', async () => {
    const file = path.join(root, 'hf-token.bin');
    const a = channel();
    serveTokenStore(a.child, new TokenStore(file));
    const vault = new ShellTokenVault(a.port);
    expect(await vault.get()).toBeNull();
    await vault.set('hf_secretToken123');
    const bytes = fs.readFileSync(file);
    expect(bytes.includes(Buffer.from('hf_secretToken123'))).toBe(false);
    expect(bytes.length).toBe('hf_secretToken123'.length);
    const b = channel(); // the host restarted: a new process asks again
    serveTokenStore(b.child, new TokenStore(file));
    expect(await new ShellTokenVault(b.port).get()).toBe('hf_secretToken123');
    await vault.set(null);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses to keep a token when no keychain is available, saying what to do instead', async () => {
    keychain.available = false;
    const file = path.join(root, 'none.bin');
    const c = channel();
    serveTokenStore(c.child, new TokenStore(file));
    await expect(new ShellTokenVault(c.port).set('hf_secretToken123')).rejects.toThrow(/no OS keychain is available .*set HF_TOKEN instead/);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('which token a download uses', () => {
  const saved = { t: process.env.HF_TOKEN, p: process.env.HF_TOKEN_PATH };
  afterAll(() => {
    for (const [k, v] of [['HF_TOKEN', saved.t], ['HF_TOKEN_PATH', saved.p]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('takes the request\'s, then $HF_TOKEN, then the app\'s, then Python\'s token file', async () => {
    const tokenFile = path.join(root, 'token');
    process.env.HF_TOKEN_PATH = tokenFile;
    delete process.env.HF_TOKEN;
    const vault = new MemoryVault();
    expect(await resolveToken(undefined, vault)).toEqual({ token: null, source: null });
    fs.writeFileSync(tokenFile, 'hf_fromPythonLogin\n');
    expect(await resolveToken(undefined, vault)).toEqual({ token: 'hf_fromPythonLogin', source: 'file' });
    await vault.set('hf_keptByTheApp');
    expect(await resolveToken(undefined, vault)).toEqual({ token: 'hf_keptByTheApp', source: 'app' });
    process.env.HF_TOKEN = 'hf_fromEnvironment';
    expect(await resolveToken(undefined, vault)).toEqual({ token: 'hf_fromEnvironment', source: 'env' });
    expect(await resolveToken('hf_givenWithRequest', vault)).toEqual({ token: 'hf_givenWithRequest', source: 'request' });
    process.env.HF_TOKEN = 'oops';
    await expect(resolveToken(undefined, vault)).rejects.toThrow('HF_TOKEN: a Hugging Face token starts with "hf_"');
  });
});
