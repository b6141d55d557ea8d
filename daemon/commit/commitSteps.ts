/**
 * The steps every committed file shares, image or video: the context a plan's files are committed in, the
 * `commit-image` event, the check that a reviewed file is committed on its audited decision, resuming what an
 * interrupted run published, and the finish (audit, then the review state marked committed).
 */
import { ErrorCode, type ImageRecord } from '../protocol';
import { VeilError } from '../errors';
import type { DecodeLimits } from '../image/decode';
import { appendAudit } from '../audit/log';
import { countDecision, decisionSha256, type CommitImageEvent } from '../audit/events';
import type { AuditedFiles } from '../audit/committed';
import type { Journal, CommitPlan } from './journal';
import type { PhaseTimes } from '../core/phaseTimes';

export interface ImageCommitContext {
  root: string;
  plan: CommitPlan;
  journal: Journal;
  recipients: readonly string[];
  limits: DecodeLimits;
  times: PhaseTimes;
  /** Latest audited commit of each file, and its latest audited review decision. */
  audited: Readonly<AuditedFiles>;
  /** Events journaled before publishing by an interrupted run of this plan. */
  journaled: ReadonlyMap<string, CommitImageEvent>;
  recordOf(file: string): ImageRecord | undefined;
  /** Sets the review state to committed (batched: the audit log, not review.json, is the proof). */
  markCommitted(record: ImageRecord): Promise<void>;
  /**
   * A commit shard's: writes a published file's entry into the shard's segment (review/segments.ts), which carries it
   * into the audit chain and marks the record committed when folded. Without it the entry goes to the chain directly.
   */
  toSegment?(event: CommitImageEvent): Promise<void>;
}

/** Audits (unless it is already) and marks the commit of `record`; nothing to report (see `commitImage`). */
export async function finish(c: ImageCommitContext, record: ImageRecord, event: CommitImageEvent, audit: boolean): Promise<undefined> {
  if (audit && c.toSegment) {
    await c.toSegment(event);
    return undefined;
  }
  if (audit) await appendAudit(c.root, event);
  await c.markCommitted(record);
  return undefined;
}

export function commitEvent(c: ImageCommitContext, record: ImageRecord, redacted: number, originalSha256: string, outputSha256: string, vault: { id: string; sha256: string }): CommitImageEvent {
  const { mode, margin, doubtMargin, shape } = c.plan.options;
  return {
    type: 'commit-image',
    commitId: c.plan.commitId,
    actor: c.plan.actor,
    file: record.file,
    model: record.detection?.model ?? null,
    threshold: record.detection?.threshold ?? null,
    redaction: { mode, margin, doubtMargin, shape },
    ...countDecision(record),
    redacted,
    boxesSha256: decisionSha256(record),
    originalSha256,
    outputSha256,
    vaultObject: vault.id,
    vaultSha256: vault.sha256,
    ...(record.status === 'reviewed' ? {} : { modelOnly: true as const }),
  };
}

/**
 * A reviewed image is committed only on the boxes of its last review decision in the audit log: a review file
 * edited outside Veil (one coordinate moved, a box rejected, a status set by hand) would otherwise leave a face
 * bare with nothing to show for it. Model-only images (never reviewed) have no decision to match.
 */
export function checkReviewedDecision(c: ImageCommitContext, record: ImageRecord): void {
  if (record.status !== 'reviewed') return;
  const decision = c.audited.reviews.get(record.file);
  if (decision?.status === 'reviewed' && decision.boxesSha256 === decisionSha256(record)) return;
  const why = !decision
    ? 'is marked reviewed but the audit log has no review decision for it'
    : decision.status !== 'reviewed'
      ? 'is marked reviewed but its last review decision in the audit log is not "reviewed"'
      : 'its boxes differ from the last reviewed decision in the audit log';
  throw new VeilError(ErrorCode.Corrupt, `${why} (edited outside Veil?); not committed — review it again in Veil`, record.file);
}

/**
 * What an interrupted run left of `record`'s commit, given the sha256 of the file now: true when its output was
 * published already (then finished here: audited if it was only journaled); refuses a file that is neither its
 * original nor its journaled output.
 */
export async function finishedEarlier(c: ImageCommitContext, record: ImageRecord, sha: string): Promise<boolean> {
  const audited = c.audited.commits.get(record.file);
  if (audited?.outputSha256 === sha) {
    await finish(c, record, audited, false);
    return true;
  }
  const journaled = c.journaled.get(record.file);
  if (journaled?.outputSha256 === sha) {
    await finish(c, record, journaled, true);
    return true;
  }
  if (journaled && journaled.originalSha256 !== sha) {
    throw new VeilError(ErrorCode.Corrupt, 'changed while the commit was interrupted (neither the original nor the journaled output); left as it is', record.file);
  }
  return false;
}
