/**
 * The one rule tying the review state to the audit log. An image's review record is *explained* when the latest
 * audit entry that says what the record holds — its `review-change`, `detect-image`, `review-reconcile` or
 * `commit-image` (which says "committed") — has the record's status and the sha256 of its boxes.
 *
 * Every writer appends that entry under the review lock before it writes the record (write-ahead); a commit
 * appends commit-image before it marks the image committed, and holds the image in its journal meanwhile. So only
 * a writer killed between its line and its write, or a write made outside Veil, leaves a record unexplained, and a
 * reconcile then records what the state holds.
 */
import type { ImageRecord, ImageStatus, ReconcileReason, VerifyFinding } from '../protocol';
import { decisionSha256, type AuditEntry } from './events';

/** What the audit log last says an image's review record holds. */
export interface AuditedDecision {
  type: 'review-change' | 'detect-image' | 'review-reconcile' | 'commit-image';
  /** The entry's number in the log. */
  seq: number;
  file: string;
  status: ImageStatus;
  boxesSha256: string;
  /** The review-state revision the entry was written for (commit-image entries and older review-change ones have none). */
  revision?: number;
}

/** The decision an entry records, or undefined for entries that say nothing of one image's review record. */
export function decisionOf(entry: AuditEntry): AuditedDecision | undefined {
  switch (entry.type) {
    case 'review-change':
    case 'detect-image':
    case 'review-reconcile':
      return { type: entry.type, seq: entry.seq, file: entry.file, status: entry.status, boxesSha256: entry.boxesSha256, revision: entry.revision };
    case 'commit-image':
      return { type: entry.type, seq: entry.seq, file: entry.file, status: 'committed', boxesSha256: entry.boxesSha256 };
    default:
      return undefined;
  }
}

/** The latest decision of each file among `entries` (in log order). */
export function latestDecisions(entries: Iterable<AuditEntry>): Map<string, AuditedDecision> {
  const latest = new Map<string, AuditedDecision>();
  for (const entry of entries) {
    const decision = decisionOf(entry);
    if (decision) latest.set(decision.file, decision);
  }
  return latest;
}

export interface Unexplained {
  record: ImageRecord;
  /** The file's latest audited decision, which the record does not hold (undefined: the log has none). */
  decision: AuditedDecision | undefined;
  reason: ReconcileReason;
}

/**
 * The records the audit log does not explain. Files in `held` belong to a running or interrupted commit: between
 * its commit-image line and marking the image committed they look unexplained, and that commit finishes them.
 */
export function unexplainedRecords(records: Iterable<ImageRecord>, decisions: ReadonlyMap<string, AuditedDecision>, held: ReadonlySet<string> = new Set()): Unexplained[] {
  const found: Unexplained[] = [];
  for (const record of records) {
    if (held.has(record.file)) continue;
    const decision = decisions.get(record.file);
    if (decision?.status === record.status && decision.boxesSha256 === decisionSha256(record)) continue;
    found.push({ record, decision, reason: reasonFor(record, decision) });
  }
  return found;
}

/**
 * A decision written for a later revision than the record has never landed: its writer appended the line and was
 * stopped before the write. Anything else is a write no line records (outside Veil, or before detection was audited
 * per image).
 */
function reasonFor(record: ImageRecord, decision: AuditedDecision | undefined): ReconcileReason {
  return decision?.revision !== undefined && (record.revision ?? 0) < decision.revision ? 'audited-change-not-written' : 'change-not-audited';
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** What `verify` reports of an unexplained record (`review-unaudited`). */
export function reviewUnauditedFinding({ record, decision, reason }: Unexplained): VerifyFinding {
  const audited = decision ? `last says "${decision.status}" with boxes ${short(decision.boxesSha256)} (entry ${decision.seq}, ${decision.type})` : 'has no entry for it';
  const why = reason === 'audited-change-not-written' ? 'an audited change was never written (its writer was stopped in between)' : 'a change was written that no audit line records (outside Veil?)';
  return {
    kind: 'review-unaudited',
    file: record.file,
    message: `review state holds "${record.status}" with boxes ${short(decisionSha256(record))} but the audit log ${audited}: ${why}. Opening the dataset for review or \`veil detect\` records what it holds`,
  };
}
