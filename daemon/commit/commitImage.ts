/**
 * Commits one image: original → vault (encrypted, checked) and → redacted output in a temp file next to it
 * (verified, fsync'd); its audit event is journaled, then the output is renamed over the original, then
 * the event goes to the audit log and the review state is marked committed (batched). Re-running it on
 * any state a crash can leave finishes the same way and never commits an image twice.
 */
import { rm, stat } from 'node:fs/promises';
import { ErrorCode, type ImageRecord } from '../protocol';
import { VeilError } from '../errors';
import type { DecodeLimits } from '../image/decode';
import { probeImage, readImageBytes } from '../image/decode';
import { resolveInside } from '../dataset/paths';
import { appendAudit } from '../audit/log';
import { boxesSha256, countBoxes, type CommitImageEvent } from '../audit/events';
import type { AuditedFiles } from '../audit/committed';
import { storeOriginal } from '../vault/vault';
import { redactImage } from '../redact/redactImage';
import { publish, tempPathFor, writeSynced } from '../storage/durable';
import { sha256Hex } from '../storage/hash';
import type { Journal, CommitPlan } from './journal';
import { boxesToRedact } from './select';
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
}

/** Audits (unless it is already) and marks the commit of `record`; nothing to report (see `commitImage`). */
async function finish(c: ImageCommitContext, record: ImageRecord, event: CommitImageEvent, audit: boolean): Promise<undefined> {
  if (audit) await appendAudit(c.root, event);
  await c.markCommitted(record);
  return undefined;
}

function commitEvent(c: ImageCommitContext, record: ImageRecord, originalSha256: string, outputSha256: string, vault: { id: string; sha256: string }): CommitImageEvent {
  const { mode, margin, shape } = c.plan.options;
  return {
    type: 'commit-image',
    commitId: c.plan.commitId,
    actor: c.plan.actor,
    file: record.file,
    model: record.detection?.model ?? null,
    threshold: record.detection?.threshold ?? null,
    redaction: { mode, margin, shape },
    boxes: countBoxes(record.boxes),
    redacted: boxesToRedact(record.boxes).length,
    boxesSha256: boxesSha256(record.boxes),
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
function checkReviewedDecision(c: ImageCommitContext, record: ImageRecord): void {
  if (record.status !== 'reviewed') return;
  const decision = c.audited.reviews.get(record.file);
  if (decision?.status === 'reviewed' && decision.boxesSha256 === boxesSha256(record.boxes)) return;
  const why = !decision
    ? 'is marked reviewed but the audit log has no review decision for it'
    : decision.status !== 'reviewed'
      ? 'is marked reviewed but its last review decision in the audit log is not "reviewed"'
      : 'its boxes differ from the last reviewed decision in the audit log';
  throw new VeilError(ErrorCode.Corrupt, `${why} (edited outside Veil?); not committed — review it again in Veil`, record.file);
}

/**
 * Commits `file`; resolves to the damage the decoder reported of its original (a truncated file, anonymized from what
 * could be decoded), if any. An image whose output an earlier run published has nothing to report.
 */
export async function commitImage(c: ImageCommitContext, file: string): Promise<string | undefined> {
  const record = c.recordOf(file);
  if (!record) throw new VeilError(ErrorCode.Corrupt, 'has no review state any more', file);
  const path = resolveInside(c.root, file);
  const original = await c.times.time('read', () => readImageBytes(path, file));
  const sha = sha256Hex(original);

  const audited = c.audited.commits.get(file);
  if (audited?.outputSha256 === sha) return finish(c, record, audited, false);
  const journaled = c.journaled.get(file);
  if (journaled?.outputSha256 === sha) return finish(c, record, journaled, true);
  if (journaled && journaled.originalSha256 !== sha) {
    throw new VeilError(ErrorCode.Corrupt, 'changed while the commit was interrupted (neither the original nor the journaled output); left as it is', file);
  }
  checkReviewedDecision(c, record);
  // Refused before the original goes into the vault: an image of several frames, or a format or size Veil does not
  // take (a header read: 0.2 ms on a 12 MP JPEG, against ~260 ms for its commit).
  await probeImage(original, file, c.limits);

  const [vault, redacted] = await Promise.all([
    c.times.time('encrypt', () => storeOriginal(c.root, original, c.recipients)),
    redactImage(original, file, boxesToRedact(record.boxes), c.plan.options, c.limits, c.times),
  ]);
  const event = commitEvent(c, record, sha, sha256Hex(redacted.bytes), vault);
  const temp = tempPathFor(path);
  try {
    const { mode } = await stat(path);
    await c.times.time('fsync', () => writeSynced(temp, redacted.bytes, { exclusive: true, mode: mode & 0o777 }));
    await c.journal.publishing(event);
    await c.times.time('fsync', () => publish(temp, path));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await finish(c, record, event, true);
  return redacted.damage;
}
