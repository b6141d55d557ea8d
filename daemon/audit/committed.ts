/**
 * What the audit log last says of each file, read from the log: its latest commit-image entry (what a committed
 * image must still be), its latest review decision (the boxes a commit of a reviewed image must match), and its
 * latest entry of any kind that says what its review record holds (see explained.ts).
 */
import { checkedEntries } from './entries';
import type { AuditEntry, CommitImageEvent, ExcludeEvent, IncludeEvent, ReviewChangeEvent } from './events';
import { decisionOf, type AuditedDecision } from './explained';
import { LOG_START, type AuditPosition } from './reader';

export interface AuditedFiles {
  commits: Map<string, CommitImageEvent>;
  reviews: Map<string, ReviewChangeEvent>;
  decisions: Map<string, AuditedDecision>;
  /** The latest exclusion decision of each file: a commit leaves a file as excluded only when this is an `exclude`. */
  exclusions: Map<string, ExcludeEvent | IncludeEvent>;
  /** How far the log was read (complete lines only): `catchUpAudited` goes on from here. */
  readTo: AuditPosition;
}

/** Refuses a log with a malformed entry, naming the line and the field (see checkedEntries). */
export function auditedFiles(root: string): Promise<AuditedFiles> {
  return catchUpAudited(root, { commits: new Map(), reviews: new Map(), decisions: new Map(), exclusions: new Map(), readTo: LOG_START });
}

/**
 * Folds the lines appended since `files` was read into it, and returns it. A reconcile reads the whole log outside
 * the review lock and only this tail under it: a whole reconcile of 10,000 records and entries takes ~93 ms
 * (bench/reviewEdit.ts), while a write holds the review lock for ~1 ms.
 */
export async function catchUpAudited(root: string, files: AuditedFiles): Promise<AuditedFiles> {
  for await (const { entry, line } of checkedEntries(root, files.readTo)) {
    note(files, entry);
    files.readTo = { byte: line.end, line: line.number };
  }
  return files;
}

function note(files: AuditedFiles, entry: AuditEntry): void {
  if (entry.type === 'commit-image') files.commits.set(entry.file, entry);
  else if (entry.type === 'review-change') files.reviews.set(entry.file, entry);
  else if (entry.type === 'exclude' || entry.type === 'include') files.exclusions.set(entry.file, entry);
  const decision = decisionOf(entry);
  if (decision) files.decisions.set(decision.file, decision);
}
