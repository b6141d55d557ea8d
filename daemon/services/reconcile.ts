/**
 * Reconcile: after a writer was killed between its audit line and its review write (or a record was written outside
 * Veil), the audit log no longer explains every review record (see audit/explained.ts). This appends one
 * `review-reconcile` entry per such record, saying what the state holds and why. It never changes the review state
 * and never counts as a decision: a commit still takes a reviewed image only on the boxes of its latest
 * `review-change`, so boxes nobody decided are refused until a person reviews the image again.
 *
 * Runs when a daemon opens a dataset for review and when a detection run starts. A daemon keeps one Reconciler per
 * dataset: it follows the audit log (reading only what was appended since its last run: audit/follower.ts) and
 * remembers which records it found explained, so a run where little changed costs a few milliseconds instead of
 * reading the whole log and hashing every record's boxes (63–68 + 56–66 ms at 10,000 images and entries on the quiet
 * 2-core machine; in a loaded run of bench/viewCounts.ts 185 ms against 7–12 ms for the reconciler kept). The check is
 * made outside the review lock; only when a record looks unexplained is the lock taken, the lines appended since read,
 * and those records checked again (a live writer between its line and its write looks just the same from outside the
 * lock).
 */
import type { ImageRecord } from '../protocol';
import type { Actor } from '../core/callContext';
import type { ReviewStore } from '../review/store';
import { appendAuditBatch } from '../audit/log';
import { AuditFollower } from '../audit/follower';
import { countDecision, decisionSha256, type ReviewReconcileEvent } from '../audit/events';
import { unexplainedRecords, type AuditedDecision, type Unexplained } from '../audit/explained';
import { filesInCommit } from '../commit/journal';

function reconcileEvent({ record, decision, reason }: Unexplained, actor: Actor): ReviewReconcileEvent {
  return {
    type: 'review-reconcile',
    actor,
    file: record.file,
    reason,
    status: record.status,
    ...countDecision(record),
    boxesSha256: decisionSha256(record),
    revision: record.revision ?? 0,
    lastDecision: decision?.seq ?? null,
  };
}

export class Reconciler {
  private readonly audit: AuditFollower;
  /**
   * Each record found explained, with the decision that explained it. The store replaces a record whenever it changes
   * (records are never changed in place) and the follower replaces a file's decision whenever a line names it, so the
   * same record with the same decision is explained still, without hashing its boxes again.
   */
  private readonly explained = new WeakMap<ImageRecord, AuditedDecision>();

  constructor(
    private readonly root: string,
    private readonly store: ReviewStore,
    audit: AuditFollower = new AuditFollower(root),
  ) {
    this.audit = audit;
  }

  /**
   * Catches up with the review state (failing as `refresh` does on a damaged one), then records every record the
   * audit log does not explain; returns them (none, normally). The recording never fails the review or detection that
   * calls it: a damaged audit log (which verify reports) must not keep anyone from working, and a reconcile that
   * cannot run now leaves the state as it was, for the next one. `only` narrows it to some files: a shard's detection
   * run checks its own, so that each record is checked by one shard (sorting and hashing every record cost each
   * shard 12–21 ms of CPU at 2,000 images on the 2-core machine, 3–9 ms with its own).
   */
  async run(actor: Actor, only?: (file: string) => boolean): Promise<Unexplained[]> {
    await this.store.refresh();
    try {
      return await this.recordUnexplained(actor, only);
    } catch (error) {
      process.stderr.write(`[veil] review state of ${this.root} not reconciled with its audit log: ${(error as Error).message}\n`);
      return [];
    }
  }

  private async recordUnexplained(actor: Actor, only: ((file: string) => boolean) | undefined): Promise<Unexplained[]> {
    const records = this.store.loggedRecords(only);
    // Nothing to check (a new dataset, a shard's first run): the log is not read (12–40 ms of CPU per shard at 2,000 entries).
    if (records.length === 0) return [];
    const suspects = this.unexplained(records, (await this.audit.latest()).decisions).map(({ record }) => record.file);
    if (suspects.length === 0) return [];
    const { result } = await this.store.update(async (get) => {
      const { decisions } = await this.audit.latest();
      const found = unexplainedRecords(
        suspects.flatMap((file) => get(file) ?? []),
        decisions,
        await filesInCommit(this.root),
      );
      if (found.length > 0) await appendAuditBatch(this.root, found.map((unexplained) => reconcileEvent(unexplained, actor)));
      return { write: [], result: found };
    });
    return result;
  }

  /** `unexplainedRecords`, checking only the records not found explained by the same decision before. */
  private unexplained(records: ImageRecord[], decisions: ReadonlyMap<string, AuditedDecision>): Unexplained[] {
    const unsure = records.filter((record) => {
      const decision = decisions.get(record.file);
      return decision === undefined || this.explained.get(record) !== decision;
    });
    const found = unexplainedRecords(unsure, decisions);
    const suspect = new Set(found.map(({ record }) => record));
    for (const record of unsure) if (!suspect.has(record)) this.explained.set(record, decisions.get(record.file)!);
    return found;
  }
}
