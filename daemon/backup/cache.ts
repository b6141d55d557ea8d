/**
 * `.veil/backup-cache.json`: what the last backup to each backup folder sealed, so that the next one seals only what
 * changed. The folder cannot tell it: its blobs are sealed (a sealed blob's name is the hash of its ciphertext, which
 * differs every time the same content is sealed), and a backup needs no key. Per folder (by its id): the custodians the
 * blobs were sealed to, the blob sealing each content (by its sha256), the audit log's stored parts with the prefix
 * they hold, and the size and time of each committed image hashed (to hash only those that changed).
 *
 * A cache, not state: it stays on this machine (a backup does not copy it), and when it is missing, unreadable or for
 * other custodians, the next backup seals everything again (vault objects, named by their own bytes, are copied once
 * whatever the cache says). It holds hashes and sizes of files the dataset holds in the clear anyway.
 */
import { veilPath, veilRelative } from '../dataset/layout';
import { writeAtomic } from '../storage/durable';
import { readStateTextIfPresent } from '../storage/stateFile';
import { arrayOf, count, finite, object, oneOf, sha256, text, type Check } from '../storage/checks';
import { isRecord } from '../protocol';
import type { StoredPart } from './manifest';

export interface SealedBlob {
  blob: string;
  /** The blob's size. */
  bytes: number;
}

/** The audit log as a backup folder holds it: its parts, in order, and the prefix of the log they hold. */
export interface StoredLog {
  parts: StoredPart[];
  /** Bytes of the log the parts hold, and the sha256 of those bytes. */
  bytes: number;
  sha256: string;
}

export interface HashedFile {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface FolderCache {
  /** `recipientsSha256` of the custodians the sealed blobs are sealed to: for others, nothing here is reused. */
  custodians: string;
  /** Content sha256 → the blob sealing it. */
  sealed: Record<string, SealedBlob>;
  log: StoredLog | null;
  /** Committed images by path: size and time when last hashed, and the sha256 found. */
  outputs: Record<string, HashedFile>;
}

interface CacheFile {
  version: 1;
  folders: Record<string, FolderCache>;
}

const recordOf = (check: Check): Check => (value) => {
  if (!isRecord(value)) return ': expected an object';
  for (const [key, item] of Object.entries(value)) {
    const problem = check(item);
    if (problem !== undefined) return `.${key}${problem}`;
  }
  return undefined;
};
const storedPart = object({ kind: oneOf(['sealed', 'copied']), blob: sha256, sha256, bytes: count, path: text });
const folderCache = object({
  custodians: sha256,
  sealed: recordOf(object({ blob: sha256, bytes: count })),
  log: (value) => (value === null ? undefined : object({ parts: arrayOf(storedPart), bytes: count, sha256 })(value)),
  outputs: recordOf(object({ size: count, mtimeMs: finite, sha256 })),
});
const cacheFile = object({ folders: recordOf(folderCache) });

/** The cache of `backupId`, or undefined when there is none or the file is not one Veil wrote (a cache is never trusted further). */
export async function readFolderCache(root: string, backupId: string): Promise<FolderCache | undefined> {
  const cache = await readCacheFile(root);
  return cache?.folders[backupId];
}

async function readCacheFile(root: string): Promise<CacheFile | undefined> {
  let contents: string | undefined;
  try {
    contents = await readStateTextIfPresent(veilPath(root, 'backupCache'), veilRelative('backupCache'), 'the backup cache');
  } catch {
    return undefined;
  }
  if (contents === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(contents);
    return cacheFile(value) === undefined ? (value as CacheFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the cache of `backupId` (the other folders' are kept), crash-safely. */
export async function writeFolderCache(root: string, backupId: string, folder: FolderCache): Promise<void> {
  const cache: CacheFile = (await readCacheFile(root)) ?? { version: 1, folders: {} };
  cache.folders[backupId] = folder;
  await writeAtomic(veilPath(root, 'backupCache'), Buffer.from(JSON.stringify(cache)));
}
