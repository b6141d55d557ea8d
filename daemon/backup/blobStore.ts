/**
 * The blobs of a backup folder: each written once under the sha256 of its bytes, never changed. A blob is written to
 * a temp in `blobs/` as it is produced (hashed on the way), fsync'd, read back and hashed again, and only then renamed
 * to its name: what a run reports as written is what the file system gives back, and no blob ever bears a name its
 * bytes do not hash to. A blob already there (another run, another dataset, the same content) is kept as it is. The
 * renames are made durable by one fsync of the folder before a manifest names them (`syncAll`).
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { syncDir, tempPathFor } from '../storage/durable';
import { openStateFile } from '../storage/stateFile';
import { sha256OfRegularFile } from '../storage/regularFile';
import type { ByteSink } from '../vault/ageStream';
import { blobPath, blobsDir, type BackupFolder } from './destination';

export interface StoredBlob {
  sha256: string;
  bytes: number;
}

/** Bytes a blob may have: no limit of its own (a vault object reaches 512 MB); the folder bounds it. */
const ANY_SIZE = { what: 'a backup blob', maxBytes: Number.MAX_SAFE_INTEGER };

export class BlobStore {
  constructor(private readonly folder: BackupFolder) {}

  async prepare(): Promise<void> {
    await mkdir(blobsDir(this.folder), { recursive: true });
  }

  /** Whether the blob is there as a regular file of `bytes` bytes (a reused blob is not read again: see README). */
  async holds(sha256: string, bytes: number): Promise<boolean> {
    const info = await stat(blobPath(this.folder, sha256)).catch(() => undefined);
    return info !== undefined && info.isFile() && info.size === bytes;
  }

  /**
   * Writes what `produce` emits as a blob, fsync'd, read back and hashed before it is renamed to its name: the hash of
   * what was emitted, or `expected` when the caller knows it (a vault object's audited ciphertext: one hash of the
   * bytes instead of two). Returns undefined when the bytes read back are not `expected` (nothing is kept): the caller
   * writes again without it, to learn what the source holds.
   */
  async write(produce: (sink: ByteSink) => Promise<void>, expected?: string): Promise<StoredBlob | undefined> {
    const temp = tempPathFor(blobPath(this.folder, 'new'));
    const hash = expected === undefined ? createHash('sha256') : undefined;
    let bytes = 0;
    try {
      const handle = await openStateFile(temp, temp, 'wx');
      try {
        await produce(async (parts) => {
          for (const part of parts) {
            hash?.update(part);
            bytes += part.length;
          }
          await handle.writev(parts);
        });
        await handle.sync();
      } finally {
        await handle.close();
      }
      const written = hash?.digest('hex') ?? expected!;
      const read = await sha256OfRegularFile(temp, temp, ANY_SIZE);
      if (read.sha256 !== written || read.stats.size !== bytes) {
        if (expected !== undefined) {
          await rm(temp, { force: true });
          return undefined;
        }
        throw new VeilError(ErrorCode.Unreadable, `read back as ${read.stats.size} bytes hashing to ${read.sha256.slice(0, 12)}…, not what was written: the backup disk loses writes`, temp);
      }
      if (await this.holds(written, bytes)) await rm(temp, { force: true });
      else await rename(temp, blobPath(this.folder, written));
      return { sha256: written, bytes };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Makes every rename into `blobs/` durable: before a manifest names them. */
  async syncAll(): Promise<void> {
    await syncDir(blobsDir(this.folder));
  }
}
