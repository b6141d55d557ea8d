/**
 * What the audit log last says of each file, read from the log: its latest commit-image entry (what a committed
 * image must still be), its latest review decision (the boxes a commit of a reviewed image must match), and its
 * latest entry of any kind that says what its review record holds (see explained.ts).
 */
import { checkedEntries } from './entries';
import type { AuditEntry, CommitImageEvent, ExcludeEvent, IncludeEvent, RestoreOriginalEvent, ReviewChangeEvent } from './events';
import { decisionOf, type AuditedDecision } from './explained';
import { LOG_START, type AuditLine, type AuditPosition } from './reader';

/** The latest commit-image entry of each file, and the files whose latest commit is followed by a restore of its original. */
export interface CommitsAndRestores {
  commits: Map<string, CommitImageEvent & AuditEntry>;
  /** Not committed again since the restore. */
  restored: Map<string, RestoreOriginalEvent & AuditEntry>;
}

/** Folds `entry` into `facts` when it is a commit-image or a restore-original (the one rule for both; retention.ts too). */
export function noteCommitOrRestore(facts: CommitsAndRestores, entry: AuditEntry): void {
  if (entry.type === 'commit-image') {
    facts.commits.set(entry.file, entry);
    facts.restored.delete(entry.file);
  } else if (entry.type === 'restore-original' && facts.commits.get(entry.file)?.vaultObject === entry.vaultObject) {
    facts.restored.set(entry.file, entry);
  }
}

export interface AuditedFiles extends CommitsAndRestores {
  reviews: Map<string, ReviewChangeEvent>;
  decisions: Map<string, AuditedDecision>;
  /** The latest exclusion decision of each file: a commit leaves a file as excluded only when this is an `exclude`. */
  exclusions: Map<string, ExcludeEvent | IncludeEvent>;
  /** How far the log was read (complete lines only): `catchUpAudited` goes on from here. */
  readTo: AuditPosition;
}

/** Nothing read yet. */
export function noAuditedFiles(): AuditedFiles {
  return { commits: new Map(), restored: new Map(), reviews: new Map(), decisions: new Map(), exclusions: new Map(), readTo: LOG_START };
}

/** Refuses a log with a malformed entry, naming the line and the field (see checkedEntries). */
export function auditedFiles(root: string): Promise<AuditedFiles> {
  return catchUpAudited(root, noAuditedFiles());
}

/**
 * Folds the lines appended since `files` was read into it, and returns it. A commit reads the whole log outside the
 * review lock and only this tail under it: reading 10,000 entries takes 63–68 ms (bench/viewCounts.ts), while a write
 * holds the review lock for ~1 ms. (A daemon's reconcile follows the log instead: audit/follower.ts.)
 */
export async function catchUpAudited(root: string, files: AuditedFiles): Promise<AuditedFiles> {
  for await (const { entry, line } of checkedEntries(root, files.readTo)) noteEntry(files, entry, line);
  return files;
}

/** Folds the entry read at `line` (the next after `files.readTo`) into `files`. */
export function noteEntry(files: AuditedFiles, entry: AuditEntry, line: AuditLine): void {
  files.readTo = { byte: line.end, line: line.number };
  noteCommitOrRestore(files, entry);
  if (entry.type === 'review-change') files.reviews.set(entry.file, entry);
  else if (entry.type === 'exclude' || entry.type === 'include') files.exclusions.set(entry.file, entry);
  const decision = decisionOf(entry);
  if (decision) files.decisions.set(decision.file, decision);
}
