/**
 * What a backup does with each name of `.veil/` (daemon/dataset/layout.ts). A record over every layout name, so that a
 * name added to the layout does not compile until someone decides whether it is state a disaster would lose.
 */
import type { LayoutName } from '../dataset/layout';

export type BackupRole =
  /** Protected state Veil keeps in the clear: sealed (age-encrypted) to the custodians, one blob per version. */
  | 'sealed'
  /** The audit log: sealed in parts, each run adding only the entries appended since the last. */
  | 'log'
  /** Already encrypted to the custodians: each object copied as it is. */
  | 'vault'
  /** Work under way (a commit, a change of recipients): a backup is refused until it is finished. */
  | 'in-flight'
  /** Thumbnails and display copies: they show the faces unredacted, so they never leave the dataset. */
  | 'rendition'
  /** Written again by Veil from the state (reports, the backup cache, the .gitignore): nothing a disaster loses. */
  | 'derived'
  /** Cross-process locks: meaningless on another machine. */
  | 'lock';

export const BACKUP_ROLES: Record<LayoutName, BackupRole> = {
  reviewSnapshot: 'sealed',
  reviewLog: 'sealed',
  exclusions: 'sealed',
  auditLog: 'log',
  recipients: 'sealed',
  policy: 'sealed',
  vault: 'vault',
  // Which recipients each ciphertext was written for: `recipients list` counts from it, and age cannot tell it from the objects.
  vaultRecipients: 'sealed',
  // Derived from the log and the review state, yet sealed: a restored dataset verifies without a commit to write it again.
  redactions: 'sealed',
  rotationPlan: 'in-flight',
  journal: 'in-flight',
  // `veil report` writes a report again from the state; one handed to an auditor is kept where it was handed.
  reports: 'derived',
  backupCache: 'derived',
  thumbs: 'rendition',
  display: 'rendition',
  commitLock: 'lock',
  reviewLock: 'lock',
  auditLock: 'lock',
  policyLock: 'lock',
  retentionLock: 'lock',
  redactionsLock: 'lock',
  shardLocks: 'lock',
  // A running shard's detections not folded yet, as the commit journal is a running commit's: work in flight.
  segments: 'in-flight',
  gitignore: 'derived',
};

function withRole(role: BackupRole): LayoutName[] {
  return (Object.keys(BACKUP_ROLES) as LayoutName[]).filter((name) => BACKUP_ROLES[name] === role);
}

/** The `.veil/` files sealed whole, each when present. */
export const SEALED_FILES: readonly LayoutName[] = withRole('sealed');