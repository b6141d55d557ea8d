/**
 * Whether a committed original's vault object is there to open. An object that is gone is `purged` when the audit log
 * records it removed on purpose (a `vault-purge` entry: crypto-shredded, `veil purge`), else `missing` (lost, deleted by
 * hand). Every opening asks this before it touches a key, and names a purged original as such.
 */
import { lstat } from 'node:fs/promises';
import { vaultObjectPath } from '../dataset/layout';
import { purgeRecord } from './retention';

export type VaultObjectState = 'present' | 'missing' | 'purged';

export async function vaultObjectState(root: string, id: string): Promise<VaultObjectState> {
  const found = await lstat(vaultObjectPath(root, id)).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  // Anything in its place that is not a readable object (a folder, a FIFO) is refused by the read that follows.
  if (found) return 'present';
  // Only an absent object costs a read of the log (10,000 entries: ~0.1 s, see audit/list.ts); retention.ts holds the
  // one rule for "purged on purpose" (a commit of the same original after its purge stores it anew).
  return (await purgeRecord(root, id)) ? 'purged' : 'missing';
}
