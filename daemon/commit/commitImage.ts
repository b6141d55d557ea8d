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
import { readImageBytes } from '../image/decode';
import { resolveInside } from '../dataset/paths';
import { appendAudit } from '../audit/log';
import { countBoxes, type CommitImageEvent } from '../audit/events';
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
  /** Latest audited commit of each file. */
  audited: ReadonlyMap<string, CommitImageEvent>;
  /** Events journaled before publishing by an interrupted run of this plan. */
  journaled: ReadonlyMap<string, CommitImageEvent>;
  recordOf(file: string): ImageRecord | undefined;
  /** Sets the review state to committed (batched: the audit log, not review.json, is the proof). */
  markCommitted(record: ImageRecord): Promise<void>;
}

async function finish(c: ImageCommitContext, record: ImageRecord, event: CommitImageEvent, audit: boolean): Promise<void> {
  if (audit) await appendAudit(c.root, event);
  await c.markCommitted(record);
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
    originalSha256,
    outputSha256,
    vaultObject: vault.id,
    vaultSha256: vault.sha256,
    ...(record.status === 'reviewed' ? {} : { modelOnly: true as const }),
  };
}

export async function commitImage(c: ImageCommitContext, file: string): Promise<void> {
  const record = c.recordOf(file);
  if (!record) throw new VeilError(ErrorCode.Corrupt, 'has no review state any more', file);
  const path = resolveInside(c.root, file);
  const original = await c.times.time('read', () => readImageBytes(path, file));
  const sha = sha256Hex(original);

  const audited = c.audited.get(file);
  if (audited?.outputSha256 === sha) return finish(c, record, audited, false);
  const journaled = c.journaled.get(file);
  if (journaled?.outputSha256 === sha) return finish(c, record, journaled, true);
  if (journaled && journaled.originalSha256 !== sha) {
    throw new VeilError(ErrorCode.Corrupt, 'changed while the commit was interrupted (neither the original nor the journaled output); left as it is', file);
  }

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
}
