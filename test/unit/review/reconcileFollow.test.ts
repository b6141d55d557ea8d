/**
 * A daemon keeps one Reconciler per dataset, which reads only what was appended to the audit log since its last run
 * and skips the records it found explained before. It must find exactly what a reconcile reading everything finds:
 * after another writer's audited edits, its unaudited writes, a writer stopped between its line and its write, and
 * the audit log cut back behind its back.
 */
import { filesInCommit } from '../../../daemon/commit/journal';
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box, ImageRecord, ImageStatus } from '../../../daemon/protocol';
import { ReviewStore } from '../../../daemon/review/store';
import { Reconciler } from '../../../daemon/services/reconcile';
import { appendAudit, appendAuditBatch, auditPath } from '../../../daemon/audit/log';
import { boxesSha256, countBoxes, type AuditEvent } from '../../../daemon/audit/events';
import type { Unexplained } from '../../../daemon/audit/explained';
import { TEST_ACTOR, box } from '../../support/commitFixtures';
import { tempDir } from '../../support/images';
import { auditLines, unexplainedFiles } from '../../support/reviewAudit';

const A: Box[] = [box({ x: 1, y: 1, w: 10, h: 10 }, 'proposed')];
const B: Box[] = [box({ x: 2, y: 1, w: 10, h: 10 }, 'accepted')];
const IMAGES = 12;
const file = (i: number) => `img-${i}.jpg`;

const said = (name: string, status: ImageStatus, boxes: Box[], revision: number) => ({ actor: TEST_ACTOR, file: name, status, boxes: countBoxes(boxes), boxesSha256: boxesSha256(boxes), revision });
const detectImage = (name: string, revision: number): AuditEvent => ({ type: 'detect-image', ...said(name, 'unreviewed', A, revision), model: 'm', threshold: 0.5, thorough: false, faces: 1 });
const reviewChange = (name: string, revision: number): AuditEvent => ({ type: 'review-change', ...said(name, 'reviewed', B, revision) });

/** A detected dataset whose audit log explains every record (one detect-image line each). */
async function explainedDataset(): Promise<string> {
  const root = tempDir();
  const images: Record<string, ImageRecord> = {};
  for (let i = 0; i < IMAGES; i++) images[file(i)] = { file: file(i), width: 100, height: 100, status: 'unreviewed', boxes: A, revision: i + 1 };
  mkdirSync(join(root, '.veil'));
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: IMAGES, images }));
  await appendAuditBatch(root, Object.values(images).map((record) => detectImage(record.file, record.revision!)));
  return root;
}

/** Another writer marks `name` reviewed with boxes B: with its audit line first (as Veil writes), or without one. */
async function otherWrites(other: ReviewStore, root: string, name: string, audited: boolean): Promise<void> {
  await other.update(async (get, revision) => {
    if (audited) await appendAudit(root, reviewChange(name, revision));
    return { write: [{ ...get(name)!, status: 'reviewed', boxes: B }], result: undefined };
  });
}

const found = (unexplained: Unexplained[]) => unexplained.map(({ record, reason }) => `${record.file} ${reason}`).sort();

/** What a reconcile reading everything (a new daemon's) finds, on a copy of the dataset as it is now. */
async function wholeReconcile(root: string): Promise<string[]> {
  const copy = join(tempDir(), 'copy');
  cpSync(root, copy, { recursive: true });
  return found(await new Reconciler(copy, await ReviewStore.open(copy, filesInCommit)).run(TEST_ACTOR));
}

/** The kept reconciler's run, checked against the whole reconcile and against the rule worked out in test/support. */
async function assertKeptFindsWhatWholeFinds(kept: Reconciler, root: string, expected: string[]): Promise<void> {
  const whole = await wholeReconcile(root);
  const independent = unexplainedFiles(root);
  const followed = found(await kept.run(TEST_ACTOR));
  assert.deepEqual(followed, expected);
  assert.deepEqual(whole, expected);
  assert.deepEqual(independent, expected.map((line) => line.split(' ')[0]));
  assert.deepEqual(unexplainedFiles(root), [], 'each is recorded');
}

describe('reconcile, followed by a daemon that keeps it', () => {
  it('finds what a reconcile reading everything finds, after another writer’s edits and after the audit log was cut back', async () => {
    const root = await explainedDataset();
    const kept = new Reconciler(root, await ReviewStore.open(root, filesInCommit));
    const other = await ReviewStore.open(root, filesInCommit);
    await assertKeptFindsWhatWholeFinds(kept, root, []);

    await otherWrites(other, root, file(1), true);
    await assertKeptFindsWhatWholeFinds(kept, root, []);
    assert.equal(auditLines(root).filter((line) => line.type === 'review-reconcile').length, 0, 'another writer’s audited edit is seen, not reconciled');

    await otherWrites(other, root, file(2), false);
    await assertKeptFindsWhatWholeFinds(kept, root, [`${file(2)} change-not-audited`]);

    // A writer stopped between its line and its write: the line names a revision the record never reached.
    await appendAudit(root, reviewChange(file(3), 99));
    await assertKeptFindsWhatWholeFinds(kept, root, [`${file(3)} audited-change-not-written`]);

    // The log cut back to its detect-image lines: the edits of img-1 and img-2 are explained no more; img-3's record
    // (never written) is again what its detect-image line says.
    const detectLines = readFileSync(auditPath(root), 'utf8').split('\n').slice(0, IMAGES).join('\n') + '\n';
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      truncateSync(auditPath(root), Buffer.byteLength(detectLines));
      await assertKeptFindsWhatWholeFinds(kept, root, [`${file(1)} change-not-audited`, `${file(2)} change-not-audited`]);
    } finally {
      process.stderr.write = stderr;
    }
  });

  it('checks again a record that was rewritten with the same status and boxes, and one whose decision changed', async () => {
    const root = await explainedDataset();
    const kept = new Reconciler(root, await ReviewStore.open(root, filesInCommit));
    const other = await ReviewStore.open(root, filesInCommit);
    await assertKeptFindsWhatWholeFinds(kept, root, []);
    // A write that changes nothing the log records (a new revision, the same status and boxes) needs no line.
    await other.update((get) => ({ write: [{ ...get(file(4))!, reviewer: 'someone' }], result: undefined }));
    await assertKeptFindsWhatWholeFinds(kept, root, []);
    // A line for the record that says other boxes than it holds, with no newer revision: the record is unexplained now.
    await appendAudit(root, { type: 'review-reconcile', actor: TEST_ACTOR, file: file(5), reason: 'change-not-audited', status: 'reviewed', boxes: countBoxes(B), boxesSha256: boxesSha256(B), revision: 0, lastDecision: null });
    await assertKeptFindsWhatWholeFinds(kept, root, [`${file(5)} change-not-audited`]);
  });
});
