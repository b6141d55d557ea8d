/**
 * Reconcile: after a writer was killed between its audit line and its review write (or a record was written outside
 * Veil), the audit log no longer explains every review record (see audit/explained.ts). This appends one
 * `review-reconcile` entry per such record, saying what the state holds and why. It never changes the review state
 * and never counts as a decision: a commit still takes a reviewed image only on the boxes of its latest
 * `review-change`, so boxes nobody decided are refused until a person reviews the image again.
 *
 * Runs when a daemon opens a dataset for review and when a detection run starts. The whole log is read outside the
 * review lock (10,000 records and entries: ~135 ms, bench/reviewEdit.ts); only when a record looks unexplained is
 * the lock taken, the lines appended since read, and those records checked again (a live writer between its line
 * and its write looks just the same from outside the lock).
 */
import type { Actor } from '../core/callContext';
import type { ReviewStore } from '../review/store';
import { appendAuditBatch } from '../audit/log';
import { auditedFiles, catchUpAudited } from '../audit/committed';
import { boxesSha256, countBoxes, type ReviewReconcileEvent } from '../audit/events';
import { unexplainedRecords, type Unexplained } from '../audit/explained';
import { filesInCommit } from '../commit/journal';

function reconcileEvent({ record, decision, reason }: Unexplained, actor: Actor): ReviewReconcileEvent {
  return {
    type: 'review-reconcile',
    actor,
    file: record.file,
    reason,
    status: record.status,
    boxes: countBoxes(record.boxes),
    boxesSha256: boxesSha256(record.boxes),
    revision: record.revision ?? 0,
    lastDecision: decision?.seq ?? null,
  };
}

/**
 * Catches up with the review state (failing as `refresh` does on a damaged one), then records every record the
 * audit log does not explain; returns them (none, normally). The recording never fails the review or detection that
 * calls it: a damaged audit log (which verify reports) must not keep anyone from working, and a reconcile that cannot
 * run now leaves the state as it was, for the next one.
 */
export async function reconcileReview(root: string, store: ReviewStore, actor: Actor): Promise<Unexplained[]> {
  await store.refresh();
  try {
    return await recordUnexplained(root, store, actor);
  } catch (error) {
    process.stderr.write(`[veil] review state of ${root} not reconciled with its audit log: ${(error as Error).message}\n`);
    return [];
  }
}

async function recordUnexplained(root: string, store: ReviewStore, actor: Actor): Promise<Unexplained[]> {
  const audited = await auditedFiles(root);
  const suspects = unexplainedRecords(store.records(), audited.decisions).map(({ record }) => record.file);
  if (suspects.length === 0) return [];
  const { result } = await store.update(async (get) => {
    await catchUpAudited(root, audited);
    const found = unexplainedRecords(
      suspects.flatMap((file) => get(file) ?? []),
      audited.decisions,
      await filesInCommit(root),
    );
    if (found.length > 0) await appendAuditBatch(root, found.map((unexplained) => reconcileEvent(unexplained, actor)));
    return { write: [], result: found };
  });
  return result;
}
