// What the Hugging Face Hub download shows before and while it runs: the plan (which files of a repo a run needs,
// their sizes and checksums, what is already cached) and the progress (bytes, speed, ETA). Shared by host, CLI
// and renderer; no platform imports.
import { z } from 'zod';

/** "owner/name" (or a bare legacy "name"), as the Hub spells repository ids. */
export const RepoIdSchema = z.string().trim().max(200).regex(/^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/, {
  message: 'expected a Hub repository id like "owner/name" (letters, digits, "-", "_", ".")',
}).refine((s) => !s.includes('..') && !s.endsWith('.git'), { message: 'a repository id cannot contain ".." or end in ".git"' });

/** A branch, tag or commit; never a path that could climb out of the cache folder. */
export const RevisionSchema = z.string().trim().min(1).max(200).refine((s) => !s.split('/').includes('..') && !s.includes('\\'), {
  message: 'a revision cannot contain ".." or "\\"',
});

/** A Hugging Face access token ("hf_…"). */
export const HubTokenSchema = z.string().trim().regex(/^hf_[A-Za-z0-9_-]{4,200}$/, { message: 'a Hugging Face token starts with "hf_" (create one at huggingface.co/settings/tokens)' });

export interface HubFilePlan {
  path: string;
  size: number;
  /** sha256 of an LFS file (the Hub's LFS oid); null for a small file kept in git. */
  sha256: string | null;
  /** The name of the file's blob in the cache: sha256 for LFS files, the git blob id otherwise. */
  etag: string;
  /** Already in the cache (downloaded earlier, by this app or by Python). */
  cached: boolean;
}

export type HubWeightsFormat = 'safetensors' | 'bnb-4bit' | 'bnb-8bit';

export interface HubPlan {
  repo: string;
  revision: string;
  commit: string;
  endpoint: string;
  cacheDir: string;
  gated: false | 'auto' | 'manual';
  /** The Hub was not reachable (or $HF_HUB_OFFLINE is set): the plan is the cached snapshot of the revision. */
  offline: boolean;
  format: HubWeightsFormat;
  files: HubFilePlan[];
  /** Files of the repo left out (other weight formats, docs, images), by path. */
  skipped: string[];
  totalBytes: number;
  cachedBytes: number;
}

export type HubPhase = 'listing' | 'downloading' | 'verifying' | 'registering' | 'done' | 'failed';

export interface HubProgress {
  repo: string;
  revision: string;
  phase: HubPhase;
  /** File being fetched now (null between files). */
  file: string | null;
  filesDone: number;
  files: number;
  bytesDone: number;
  bytesTotal: number;
  /** Recent download speed in bytes per second (0 before the first bytes). */
  bytesPerSecond: number;
  /** Seconds left at the recent speed; null while unknown. */
  etaSeconds: number | null;
  /** Bytes taken from a partial file of an earlier attempt instead of fetched again. */
  resumedBytes: number;
  error?: string;
}

export type HubTokenSource = 'request' | 'env' | 'app' | 'file';

export interface HubTokenStatus {
  /** Where the token a download would use comes from; null: no token. */
  source: HubTokenSource | null;
  /** How a token given in the app is kept: encrypted by the OS keychain (desktop) or in memory for this session. */
  storage: 'keychain' | 'memory';
}
