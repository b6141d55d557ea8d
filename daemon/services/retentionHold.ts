/**
 * `retention/hold` and `retention/release`: a person keeps the originals of images past their retention (a legal hold,
 * an open complaint), or takes that back. Each decision is one audit entry per image, written before it counts; the
 * log is the only record (retention.ts reads it). Under `.veil/retention.lock`, which a purge holds for its whole run:
 * a hold placed while a purge runs waits for it, so no purge decides on holds that changed under it.
 */
import { ErrorCode, type RetentionHoldParams, type RetentionHoldResult, type RetentionReleaseParams } from '../protocol';
import { VeilError } from '../errors';
import type { Actor } from '../core/callContext';
import { locateDataset } from '../dataset/locate';
import { appendAudit, auditCheckpoint } from '../audit/log';
import { acquireLock } from '../storage/lock';
import { activeHold, loggedFileName, readAuditEntries, retentionFacts, type RetentionFacts } from '../vault/retention';

/** How long a hold waits for a running purge (a purge removes hundreds of objects a second). */
const PURGE_WAIT_MS = 30_000;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `until` as the ISO time the hold ends: a date lasts through that day (UTC); a time must name its offset. */
export function holdEnd(until: string, now: Date): string {
  const text = DATE_ONLY.test(until) ? `${until}T23:59:59.999Z` : until;
  const time = DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(time)) throw new VeilError(ErrorCode.InvalidParams, `"until" must be a date (2027-01-31) or a time with its offset (2027-01-31T17:00:00+01:00), not "${until}"`);
  if (time <= now.getTime()) throw new VeilError(ErrorCode.InvalidParams, `"until" (${until}) is not in the future: such a hold would keep nothing`);
  return new Date(time).toISOString();
}

function reasonOf(reason: string, what: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw new VeilError(ErrorCode.InvalidParams, `"reason" must say why the ${what}`);
  return trimmed;
}

/** The images of `requested` (once each), as the log names them; every one checked by `refuse` before anything is written. */
function decidedFiles(root: string, requested: readonly string[], facts: RetentionFacts, refuse: (file: string) => string | undefined): string[] {
  const files = [...new Set(requested.map((file) => loggedFileName(root, file)))];
  for (const file of files) {
    if (!facts.commits.has(file)) throw new VeilError(ErrorCode.BadPath, 'has no original in the vault (never committed)', file);
    const refusal = refuse(file);
    if (refusal) throw new VeilError(ErrorCode.Conflict, refusal, file);
  }
  return files;
}

async function underRetentionLock<T>(rootParam: string, purpose: string, work: (root: string, facts: RetentionFacts) => Promise<T>): Promise<T> {
  const { root } = locateDataset(rootParam);
  const lock = await acquireLock(root, purpose, { file: 'retentionLock', waitMs: PURGE_WAIT_MS });
  try {
    return await work(root, retentionFacts(await readAuditEntries(root)));
  } finally {
    await lock.release();
  }
}

export async function holdFiles(params: RetentionHoldParams, actor: Actor, now = new Date()): Promise<RetentionHoldResult> {
  const reason = reasonOf(params.reason, 'originals are held');
  const until = params.until === undefined ? null : holdEnd(params.until, now);
  return underRetentionLock(params.root, 'retention hold', async (root, facts) => {
    const files = decidedFiles(root, params.files, facts, (file) => {
      const originals = [...facts.originals.values()].filter((life) => life.files.has(file));
      return originals.every((life) => life.purge) ? `its original was purged (audit entry ${originals[0]!.purge!.seq}): there is nothing left to hold` : undefined;
    });
    for (const file of files) await appendAudit(root, { type: 'retention-hold', actor, file, reason, until });
    return { files, checkpoint: await auditCheckpoint(root) };
  });
}

export async function releaseFiles(params: RetentionReleaseParams, actor: Actor, now = new Date()): Promise<RetentionHoldResult> {
  const reason = reasonOf(params.reason, 'holds are released');
  return underRetentionLock(params.root, 'retention release', async (root, facts) => {
    const files = decidedFiles(root, params.files, facts, (file) => (activeHold(facts, file, now) ? undefined : 'is not on hold: there is nothing to release'));
    for (const file of files) await appendAudit(root, { type: 'retention-release', actor, file, reason });
    return { files, checkpoint: await auditCheckpoint(root) };
  });
}
