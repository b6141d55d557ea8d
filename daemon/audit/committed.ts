/**
 * The latest commit entry of each file, read from the audit log: what each committed image must still be; and the
 * latest review decision of each file: the boxes a commit of a reviewed image must match.
 */
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';
import { veilRelative } from '../dataset/layout';
import { NOT_JSON, parseEntry } from './chain';
import type { CommitImageEvent, ReviewChangeEvent } from './events';
import { auditLines } from './reader';

/** What the audit log last says of each file: its latest commit-image entry and its latest review decision. */
export interface AuditedFiles {
  commits: Map<string, CommitImageEvent>;
  reviews: Map<string, ReviewChangeEvent>;
}

/**
 * Refuses a log with a malformed entry (hand-edited, or damaged), naming the line and the field: what a commit
 * or an opening decides from it would be wrong. Only a last line that is not JSON at all is passed over: a line
 * torn by a power loss mid-append, which the next append cuts off.
 */
export async function auditedFiles(root: string): Promise<AuditedFiles> {
  const latest: AuditedFiles = { commits: new Map(), reviews: new Map() };
  let malformed: { number: number; reason: string } | undefined;
  for await (const { number, text } of auditLines(root)) {
    if (malformed) throw refusal(malformed);
    const entry = parseEntry(text);
    if (typeof entry === 'string') malformed = { number, reason: entry };
    else if (entry.type === 'commit-image') latest.commits.set(entry.file, entry);
    else if (entry.type === 'review-change') latest.reviews.set(entry.file, entry);
  }
  if (malformed && malformed.reason !== NOT_JSON) throw refusal(malformed);
  return latest;
}

function refusal({ number, reason }: { number: number; reason: string }): VeilError {
  return new VeilError(ErrorCode.Corrupt, `line ${number}: ${reason}; run \`veil verify\``, veilRelative('auditLog'));
}
