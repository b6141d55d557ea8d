/**
 * What the audit log last says of each file, read from the log: its latest commit-image entry (what a committed
 * image must still be), its latest review decision (the boxes a commit of a reviewed image must match), and its
 * latest entry of any kind that says what its review record holds (see explained.ts).
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { veilRelative } from '../dataset/layout';
import { NOT_JSON, parseEntry } from './chain';
import type { AuditEntry, CommitImageEvent, ExcludeEvent, IncludeEvent, ReviewChangeEvent } from './events';
import { decisionOf, type AuditedDecision } from './explained';
import { LOG_START, auditLines, type AuditPosition } from './reader';

export interface AuditedFiles {
  commits: Map<string, CommitImageEvent>;
  reviews: Map<string, ReviewChangeEvent>;
  decisions: Map<string, AuditedDecision>;
  /** The latest exclusion decision of each file: a commit leaves a file as excluded only when this is an `exclude`. */
  exclusions: Map<string, ExcludeEvent | IncludeEvent>;
  /** How far the log was read (complete lines only): `catchUpAudited` goes on from here. */
  readTo: AuditPosition;
}

/**
 * Refuses a log with a malformed entry (hand-edited, or damaged), naming the line and the field: what a commit
 * or an opening decides from it would be wrong. Only a last line that is not JSON at all is passed over: a line
 * torn by a power loss mid-append, which the next append cuts off.
 */
export function auditedFiles(root: string): Promise<AuditedFiles> {
  return catchUpAudited(root, { commits: new Map(), reviews: new Map(), decisions: new Map(), exclusions: new Map(), readTo: LOG_START });
}

/**
 * Folds the lines appended since `files` was read into it, and returns it. A reconcile reads the whole log outside
 * the review lock and only this tail under it: a whole reconcile of 10,000 records and entries takes ~93 ms
 * (bench/reviewEdit.ts), while a write holds the review lock for ~1 ms.
 */
export async function catchUpAudited(root: string, files: AuditedFiles): Promise<AuditedFiles> {
  let malformed: { number: number; reason: string } | undefined;
  for await (const line of auditLines(root, files.readTo)) {
    if (malformed) throw refusal(malformed);
    const entry = parseEntry(line.text);
    if (typeof entry === 'string') malformed = { number: line.number, reason: entry };
    else if (line.complete) {
      note(files, entry);
      files.readTo = { byte: line.end, line: line.number };
    }
  }
  if (malformed && malformed.reason !== NOT_JSON) throw refusal(malformed);
  return files;
}

function note(files: AuditedFiles, entry: AuditEntry): void {
  if (entry.type === 'commit-image') files.commits.set(entry.file, entry);
  else if (entry.type === 'review-change') files.reviews.set(entry.file, entry);
  else if (entry.type === 'exclude' || entry.type === 'include') files.exclusions.set(entry.file, entry);
  const decision = decisionOf(entry);
  if (decision) files.decisions.set(decision.file, decision);
}

function refusal({ number, reason }: { number: number; reason: string }): VeilError {
  return new VeilError(ErrorCode.Corrupt, `line ${number}: ${reason}; run \`veil verify\``, veilRelative('auditLog'));
}
