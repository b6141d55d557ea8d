/**
 * What the audit log says of each encrypted original's retention, read from the log alone (it holds every fact: no
 * state file to drift from it). An original (vault object) is named by commit-image entries, one per image committed
 * with it; its retention runs from the latest of them. A retention-hold entry of an image keeps every original any
 * commit of that image named (until its `until`, or a retention-release entry); a restore-original entry after an
 * image's latest commit means its original is back in the dataset. A vault-purge entry that is an object's latest
 * entry (after every commit-image and vault-rewrap naming it) means it was purged on purpose: its absence is no
 * finding, and it cannot be opened. README "Retention, purge and restore".
 */
import { resolve } from 'node:path';
import { ErrorCode, type PolicyRetention, type RetentionHold, type RetentionItem, type RetentionState } from '../protocol';
import { VeilError } from '../errors';
import { isInside, toDatasetPath } from '../dataset/paths';
import { checkedEntries } from '../audit/entries';
import { noteCommitOrRestore, type CommitsAndRestores } from '../audit/committed';
import type { AuditEntry, CommitImageEvent, RetentionHoldEvent, RetentionReleaseEvent, VaultPurgeEvent } from '../audit/events';

type Logged<T> = T & AuditEntry;
export type LoggedPurge = Logged<VaultPurgeEvent>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** One vault object's life in the log. */
export interface OriginalLife {
  id: string;
  /** The images whose commits named it. */
  files: Set<string>;
  /** The latest commit-image entry naming it. */
  lastCommit: Logged<CommitImageEvent>;
  /** Its purge, when that is its latest entry. */
  purge?: LoggedPurge;
}

export interface RetentionFacts extends CommitsAndRestores {
  /** Every object a commit-image entry names. */
  originals: Map<string, OriginalLife>;
  /** The latest hold or release of each image. */
  holds: Map<string, Logged<RetentionHoldEvent | RetentionReleaseEvent>>;
}

export function retentionFacts(entries: Iterable<AuditEntry>): RetentionFacts {
  const facts: RetentionFacts = { originals: new Map(), commits: new Map(), holds: new Map(), restored: new Map() };
  for (const entry of entries) {
    noteCommitOrRestore(facts, entry);
    switch (entry.type) {
      case 'commit-image': {
        const life = facts.originals.get(entry.vaultObject) ?? { id: entry.vaultObject, files: new Set<string>(), lastCommit: entry };
        life.files.add(entry.file);
        life.lastCommit = entry;
        // A commit of a purged original (the same bytes committed again) stores it anew.
        life.purge = undefined;
        facts.originals.set(entry.vaultObject, life);
        break;
      }
      case 'vault-rewrap': {
        const life = facts.originals.get(entry.vaultObject);
        if (life) life.purge = undefined;
        break;
      }
      case 'vault-purge': {
        const life = facts.originals.get(entry.vaultObject);
        if (life) life.purge = entry;
        break;
      }
      case 'retention-hold':
      case 'retention-release':
        facts.holds.set(entry.file, entry);
        break;
      default:
        break;
    }
  }
  return facts;
}

/** Every entry of the dataset's audit log (a malformed one refused, naming its line). */
export async function readAuditEntries(root: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const { entry } of checkedEntries(root)) entries.push(entry);
  return entries;
}

/** The purge entry of the object `id` when it was purged on purpose (its latest entry is a vault-purge); undefined otherwise. */
export async function purgeRecord(root: string, id: string): Promise<LoggedPurge | undefined> {
  return retentionFacts(await readAuditEntries(root)).originals.get(id)?.purge;
}

/** The objects purged on purpose, by id. */
export function purgedObjects(facts: RetentionFacts): Map<string, LoggedPurge> {
  const purged = new Map<string, LoggedPurge>();
  for (const [id, life] of facts.originals) if (life.purge) purged.set(id, life.purge);
  return purged;
}

/** The hold of `file` in force at `now`, if any. */
export function activeHold(facts: RetentionFacts, file: string, now: Date): RetentionHold | undefined {
  const latest = facts.holds.get(file);
  if (latest?.type !== 'retention-hold') return undefined;
  if (latest.until !== null && Date.parse(latest.until) <= now.getTime()) return undefined;
  return { file, reason: latest.reason, until: latest.until, by: latest.actor.reviewer, at: latest.at };
}

/** Where the original `life` stands against `retention` at `now`. */
export function retentionItem(facts: RetentionFacts, life: OriginalLife, retention: PolicyRetention, now: Date): RetentionItem {
  const files = [...life.files].sort((a, b) => a.localeCompare(b));
  const committedAt = life.lastCommit.at;
  const expiresAt = retention.days === null ? null : new Date(Date.parse(committedAt) + retention.days * DAY_MS).toISOString();
  const hold = files.map((file) => activeHold(facts, file, now)).find((found) => found !== undefined);
  const restored = files.some((file) => facts.restored.get(file)?.vaultObject === life.id);
  const state: RetentionState = hold
    ? 'held'
    : restored
      ? 'restored'
      : expiresAt === null
        ? 'no-retention'
        : Date.parse(expiresAt) <= now.getTime()
          ? 'expired'
          : 'retained';
  return { vaultObject: life.id, files, committedAt, expiresAt, state, ...(hold ? { hold } : {}) };
}

/** Why an original in `item`'s state is not purged without force, in words. */
export function keptBecause(item: RetentionItem): string {
  switch (item.state) {
    case 'expired':
      return `its retention ran out on ${item.expiresAt}`;
    case 'retained':
      return `it is kept until ${item.expiresAt} (retention from its commit on ${item.committedAt})`;
    case 'no-retention':
      return 'the policy sets no retention days, so originals are kept until a person purges them (--force with a reason)';
    case 'held':
      return `it is on hold (${item.hold!.file}: "${item.hold!.reason}" by ${item.hold!.by}${item.hold!.until === null ? ', until released' : `, until ${item.hold!.until}`})`;
    case 'restored':
      return 'it is restored into the dataset for re-review: commit the image again first';
  }
}

/**
 * `requested` as the log's entries name an image: relative to the dataset with forward slashes (an absolute path inside
 * it is made relative). The image need not exist: its original may outlive it in the vault.
 */
export function loggedFileName(root: string, requested: string): string {
  if (requested.includes('\0')) throw new VeilError(ErrorCode.BadPath, 'path contains a NUL byte', requested.replace(/\0/g, '\\0'));
  const absolute = resolve(root, requested.split('\\').join('/'));
  if (absolute === root || !isInside(root, absolute)) throw new VeilError(ErrorCode.BadPath, 'is not a file inside the dataset', requested);
  return toDatasetPath(root, absolute);
}
