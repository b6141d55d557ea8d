/**
 * What Veil keeps next to a dataset, and where: the one home of every name under `<dataset>/.veil/`.
 * Every module asks this file for a path; none spells a name of its own.
 *
 * ```
 * <dataset>/.veil/
 *   review.json      review state snapshot (compacted), with the last review-log sequence it contains
 *   review.jsonl     review log: one line per write since the snapshot (appended under review.lock)
 *   exclusions.json  files a person excluded from anonymization, and why (rewritten whole under review.lock)
 *   audit.jsonl      hash-chained audit log (appended under audit.lock)
 *   recipients.txt   age recipients that may open the originals (with the policy's opening roles: policy/roles.ts)
 *   policy.json      governance policy: roles, purposes, retention, trusted signers, monitoring (replaced under policy.lock)
 *   vault/<id>.age   encrypted originals, named by the sha256 of the original
 *   vault-recipients.jsonl   which recipients each ciphertext Veil wrote is encrypted to (what `recipients list` counts)
 *   redactions.json  every committed file's redacted regions, for training pipelines (rewritten by each commit and restore)
 *   rotation.json    the in-flight change of recipients (add, remove, rotate): its plan
 *   journal/         the in-flight commit
 *   reports/         compliance reports (`veil report`): report-<time>.html and its evidence, report-<time>.json
 *   backup-cache.json   what the last backup to each backup folder sealed (a cache: lost, the next backup seals the state again)
 *   thumbs/ display/ renditions for the review panel (they show faces: never versioned, purged on commit)
 *   journal/shard-<i>-of-<n>/   the in-flight commit of one shard (`veil commit --shard i/n`)
 *   shard-locks/<i>-of-<n>.lock   the commit lock of one shard; `lock` shuts every shard out while a whole-dataset holder has it
 *   segments/<id>.jsonl   a detection shard's segment: its results not yet folded into review.jsonl (review/segments.ts)
 *   segments/<id>.lock    held by the shard writing that segment
 *   lock review.lock audit.lock policy.lock retention.lock redactions.lock   cross-process locks (retention.lock: holds vs purges)
 *   .gitignore       keeps renditions, journals and locks out of version control
 * ```
 */
import { join } from 'node:path';

export const VEIL_DIR = '.veil';

/** File and folder names under `.veil/`. */
export const LAYOUT = {
  reviewSnapshot: 'review.json',
  reviewLog: 'review.jsonl',
  exclusions: 'exclusions.json',
  auditLog: 'audit.jsonl',
  recipients: 'recipients.txt',
  policy: 'policy.json',
  vault: 'vault',
  vaultRecipients: 'vault-recipients.jsonl',
  redactions: 'redactions.json',
  rotationPlan: 'rotation.json',
  journal: 'journal',
  reports: 'reports',
  backupCache: 'backup-cache.json',
  thumbs: 'thumbs',
  display: 'display',
  commitLock: 'lock',
  reviewLock: 'review.lock',
  auditLock: 'audit.lock',
  policyLock: 'policy.lock',
  retentionLock: 'retention.lock',
  redactionsLock: 'redactions.lock',
  shardLocks: 'shard-locks',
  segments: 'segments',
  gitignore: '.gitignore',
} as const;

export type LayoutName = keyof typeof LAYOUT;

/** Lock files under `.veil/`. */
export type LockName = 'commitLock' | 'reviewLock' | 'auditLock' | 'policyLock' | 'retentionLock' | 'redactionsLock';

/** Renditions: derived images that show faces; deleted after every commit, never versioned. */
export const RENDITION_DIRS = ['thumbs', 'display'] as const satisfies readonly LayoutName[];

export function veilDir(root: string): string {
  return join(root, VEIL_DIR);
}

export function veilPath(root: string, name: LayoutName): string {
  return join(root, VEIL_DIR, LAYOUT[name]);
}

/** The dataset-relative name of a `.veil/` file, as findings and messages show it. */
export function veilRelative(name: LayoutName): string {
  return `${VEIL_DIR}/${LAYOUT[name]}`;
}

export function vaultObjectPath(root: string, id: string): string {
  return join(veilPath(root, 'vault'), `${id}.age`);
}

/** The dataset-relative name of a vault object. */
export function vaultObjectRelative(id: string): string {
  return `${veilRelative('vault')}/${id}.age`;
}

/** A shard's name in file names: `<i>-of-<n>`, and back (undefined for any other name). */
function shardTag(shard: { index: number; count: number }): string {
  return `${shard.index}-of-${shard.count}`;
}
function parseShardTag(tag: string): { index: number; count: number } | undefined {
  const match = /^(\d+)-of-(\d+)$/.exec(tag);
  return match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
}

const SHARD_JOURNAL_PREFIX = 'shard-';
const SHARD_LOCK_SUFFIX = '.lock';

/** The folder of one shard's commit journal, under the journal folder. */
export function shardJournalName(shard: { index: number; count: number }): string {
  return `${SHARD_JOURNAL_PREFIX}${shardTag(shard)}`;
}

/** The shard a journal folder's name is of, if it is one. */
export function shardOfJournalName(name: string): { index: number; count: number } | undefined {
  return name.startsWith(SHARD_JOURNAL_PREFIX) ? parseShardTag(name.slice(SHARD_JOURNAL_PREFIX.length)) : undefined;
}

/** A shard's commit lock file's name under `shard-locks/`. */
export function shardLockName(shard: { index: number; count: number }): string {
  return `${shardTag(shard)}${SHARD_LOCK_SUFFIX}`;
}

/** The shard a lock file's name is of, if it is one. */
export function shardOfLockName(name: string): { index: number; count: number } | undefined {
  return name.endsWith(SHARD_LOCK_SUFFIX) ? parseShardTag(name.slice(0, -SHARD_LOCK_SUFFIX.length)) : undefined;
}

/** The commit lock file of one shard. */
export function shardLockPath(root: string, shard: { index: number; count: number }): string {
  return join(veilPath(root, 'shardLocks'), shardLockName(shard));
}

const SEGMENT_SUFFIX = '.jsonl';
const SEGMENT_LOCK_SUFFIX = '.lock';

/** A segment's file, under the segments folder. */
export function segmentPath(root: string, id: string): string {
  return join(veilPath(root, 'segments'), `${id}${SEGMENT_SUFFIX}`);
}

/** The lock its writer holds while it runs. */
export function segmentLockPath(root: string, id: string): string {
  return join(veilPath(root, 'segments'), `${id}${SEGMENT_LOCK_SUFFIX}`);
}

/** A segment's file as messages and findings name it (`.veil/segments/<id>.jsonl`). */
export function segmentRelative(id: string): string {
  return `${veilRelative('segments')}/${id}${SEGMENT_SUFFIX}`;
}

/** The segment a file name under the segments folder is, if it is one. */
export function segmentOfFileName(name: string): string | undefined {
  return name.endsWith(SEGMENT_SUFFIX) && !name.startsWith('.') ? name.slice(0, -SEGMENT_SUFFIX.length) : undefined;
}
