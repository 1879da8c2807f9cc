// Where the Hub and its cache are: the endpoint (option, else $HF_ENDPOINT, else huggingface.co) and the cache folder
// shared with Python's huggingface_hub (option, else $HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE, $HF_HOME/hub,
// $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub: the library's own resolution, the same as Python's),
// and Python's token file ($HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token).
import * as os from 'node:os';
import * as path from 'node:path';
import { getHFHubCachePath, getRepoFolderName } from '@huggingface/hub';
import { PeftLabError } from '../../src-shared/errors';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export function hubEndpoint(explicit?: string): string {
  const raw = explicit ?? process.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PeftLabError('BAD_ARGUMENT', `Hub endpoint "${raw}"${explicit ? '' : ' (from HF_ENDPOINT)'} is not a URL; use e.g. https://huggingface.co`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PeftLabError('BAD_ARGUMENT', `Hub endpoint "${raw}" must be an http(s) URL`);
  }
  return raw.replace(/\/+$/, '');
}

export function hubCacheDir(explicit?: string): string {
  return path.resolve(explicit ?? getHFHubCachePath());
}

function hfHome(): string {
  return process.env.HF_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface');
}

/** The file where `huggingface-cli login` / `hf auth login` keeps the token. */
export function pythonTokenPath(): string {
  return process.env.HF_TOKEN_PATH ?? path.join(hfHome(), 'token');
}

/** models--owner--name inside the cache. */
export function repoCacheFolder(cacheDir: string, repo: string): string {
  return path.join(cacheDir, getRepoFolderName({ type: 'model', name: repo }));
}
