// The Hugging Face cache layout, the same as Python's huggingface_hub writes, so either side reuses the other's
// files: <cache>/models--owner--name/blobs/<etag> (the bytes; <etag>.incomplete while downloading),
// snapshots/<commit>/<path> (relative symlinks to the blobs; a copy where symlinks are refused) and
// refs/<revision> (the commit a branch or tag pointed at when last resolved).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoCacheFolder } from './locations';

const COMMIT = /^[0-9a-f]{40}$/;

export class RepoCache {
  readonly root: string;

  constructor(cacheDir: string, readonly repo: string) {
    this.root = repoCacheFolder(cacheDir, repo);
  }

  blobPath(etag: string): string {
    return path.join(this.root, 'blobs', etag);
  }

  incompletePath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }

  snapshotDir(commit: string): string {
    return path.join(this.root, 'snapshots', commit);
  }

  /** The blob's size when it is complete in the cache, else null. */
  blobSize(etag: string): number | null {
    try {
      const st = fs.statSync(this.blobPath(etag));
      return st.isFile() ? st.size : null;
    } catch {
      return null;
    }
  }

  /** Bytes of an interrupted download of this blob, 0 when none. */
  partialSize(etag: string): number {
    try {
      return fs.statSync(this.incompletePath(etag)).size;
    } catch {
      return 0;
    }
  }

  /** The commit `revision` pointed at when last resolved (refs/<revision>), or `revision` itself when it is a commit. */
  readRef(revision: string): string | null {
    if (COMMIT.test(revision)) return revision;
    try {
      const c = fs.readFileSync(path.join(this.root, 'refs', revision), 'utf8').trim();
      return COMMIT.test(c) ? c : null;
    } catch {
      return null;
    }
  }

  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const file = path.join(this.root, 'refs', revision);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, commit);
  }

  /** snapshots/<commit>/<file> → ../../blobs/<etag> (relative, as Python makes it, so the cache can move). */
  link(commit: string, file: string, etag: string): string {
    const dst = path.join(this.snapshotDir(commit), file);
    const src = this.blobPath(etag);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.rmSync(dst, { force: true });
    try {
      fs.symlinkSync(path.relative(path.dirname(dst), src), dst);
    } catch {
      fs.copyFileSync(src, dst); // file systems without symlinks (Python does the same)
    }
    return dst;
  }

  /** True when the snapshot already holds `file` resolving to a complete blob. */
  hasSnapshotFile(commit: string, file: string): boolean {
    try {
      return fs.statSync(path.join(this.snapshotDir(commit), file)).isFile();
    } catch {
      return false;
    }
  }
}
