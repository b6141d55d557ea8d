/**
 * The sha256 of model files, computed once per file identity. `models/list` (and `initialize`, and every load by
 * name) reports whether each model file still has its pinned hash; reading and hashing every file on every call
 * left 2.8 GB resident after 3,000 concurrent calls (issue #9). A file is identified by its path, device, inode,
 * size, mtime and ctime: replacing it (a rename, as install and add do) or writing it changes one of them, and the
 * next call hashes it again. Concurrent callers share one computation in flight; a file is read in 1 MB chunks.
 */
import type { Stats } from 'node:fs';
import { sha256OfRegularFile, statRegularFile, type FileRule } from '../storage/regularFile';

interface Entry {
  identity: string;
  sha256: Promise<string>;
}

function identityOf(info: Stats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

export class FileHashes {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rule: FileRule,
    /** How a file is hashed (tests count the calls). */
    private readonly hashFile: typeof sha256OfRegularFile = sha256OfRegularFile,
  ) {}

  /** sha256 (hex) of the regular file at `path`; rejects as `statRegularFile` does (missing, not a file, too large). */
  async sha256(path: string): Promise<string> {
    const identity = identityOf(await statRegularFile(path, path, this.rule));
    const cached = this.entries.get(path);
    if (cached?.identity === identity) return cached.sha256;
    const computing = this.hashFile(path, path, this.rule).then(({ sha256, stats }) => {
      // The file changed between the stat and the read: the hash is of the newer file, so it is not kept for the older.
      if (identityOf(stats) !== identity) this.forget(path, entry);
      return sha256;
    });
    const entry: Entry = { identity, sha256: computing };
    this.entries.set(path, entry);
    computing.catch(() => this.forget(path, entry));
    return computing;
  }

  private forget(path: string, entry: Entry): void {
    if (this.entries.get(path) === entry) this.entries.delete(path);
  }
}
