/** The rule tying review records to the audit log, and the reads a reconcile makes of the log. */
import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import type { Box, ImageRecord, ImageStatus } from '../../../daemon/protocol';
import { appendAudit, appendAuditBatch, auditPath } from '../../../daemon/audit/log';
import { auditedFiles, catchUpAudited } from '../../../daemon/audit/committed';
import { boxesSha256, countBoxes, type AuditEvent } from '../../../daemon/audit/events';
import { unexplainedRecords } from '../../../daemon/audit/explained';
import { verifyAuditLog } from '../../../daemon/audit/verifyLog';
import { TEST_ACTOR, box } from '../../support/commitFixtures';
import { tempDir } from '../../support/images';

const A: Box[] = [box({ x: 1, y: 1, w: 10, h: 10 })];
const B: Box[] = [box({ x: 2, y: 1, w: 10, h: 10 })];

function record(file: string, status: ImageStatus, boxes: Box[], revision: number): ImageRecord {
  return { file, width: 100, height: 100, status, boxes, revision };
}

const said = (file: string, status: ImageStatus, boxes: Box[]) => ({ actor: TEST_ACTOR, file, status, boxes: countBoxes(boxes), boxesSha256: boxesSha256(boxes) });
const reviewChange = (file: string, status: ImageStatus, boxes: Box[], revision?: number): AuditEvent => ({ type: 'review-change', ...said(file, status, boxes), ...(revision === undefined ? {} : { revision }) });
const detectImage = (file: string, boxes: Box[], revision: number): AuditEvent => ({ type: 'detect-image', ...said(file, 'unreviewed', boxes), model: 'm', threshold: 0.5, thorough: false, faces: 1, revision });

describe('review records explained by the audit log', () => {
  it('the latest line of a file that says what its record holds explains it, whatever its kind; anything else does not', async () => {
    const root = tempDir();
    await appendAuditBatch(root, [
      detectImage('detected.jpg', A, 1),
      detectImage('reviewed.jpg', A, 2),
      reviewChange('reviewed.jpg', 'reviewed', B, 3),
      detectImage('moved.jpg', A, 4),
      reviewChange('moved.jpg', 'unreviewed', B, 5),
      reviewChange('old.jpg', 'reviewed', A),
      { type: 'commit-image', commitId: 'c', actor: TEST_ACTOR, file: 'committed.jpg', model: null, threshold: null, redaction: { mode: 'fill', margin: 0.25, shape: 'rect' }, boxes: countBoxes(A), redacted: 1, boxesSha256: boxesSha256(A), originalSha256: 'a'.repeat(64), outputSha256: 'b'.repeat(64), vaultObject: 'a'.repeat(64), vaultSha256: 'c'.repeat(64) },
    ]);
    const { decisions } = await auditedFiles(root);
    const records = [
      record('detected.jpg', 'unreviewed', A, 1),
      record('reviewed.jpg', 'reviewed', B, 3),
      record('committed.jpg', 'committed', A, 9),
      // The decision's write never landed: the record is older than the revision the line was written for.
      record('moved.jpg', 'unreviewed', A, 4),
      // Written with no line: a status set by hand, a record no line mentions.
      record('old.jpg', 'unreviewed', A, 7),
      record('unknown.jpg', 'unreviewed', A, 8),
      // Held by a commit between its commit-image line and marking it committed.
      record('held.jpg', 'reviewed', A, 6),
    ];
    const found = unexplainedRecords(records, decisions, new Set(['held.jpg']));
    assert.deepEqual(
      found.map(({ record: r, decision, reason }) => [r.file, reason, decision?.type]),
      [
        ['moved.jpg', 'audited-change-not-written', 'review-change'],
        ['old.jpg', 'change-not-audited', 'review-change'],
        ['unknown.jpg', 'change-not-audited', undefined],
      ],
    );
    // A committed record is explained by its commit-image line only when it says committed.
    assert.equal(unexplainedRecords([record('committed.jpg', 'reviewed', A, 9)], decisions).length, 1);
  });

  it('a reconcile reads the log once, then only what was appended since, never a torn last line', async () => {
    const root = tempDir();
    await appendAudit(root, detectImage('a.jpg', A, 1));
    const audited = await auditedFiles(root);
    assert.equal(audited.decisions.get('a.jpg')?.boxesSha256, boxesSha256(A));
    await appendAudit(root, reviewChange('a.jpg', 'reviewed', B, 2));
    appendFileSync(auditPath(root), '{"seq":2,"prev":"');
    const readTo = audited.readTo;
    await catchUpAudited(root, audited);
    assert.equal(audited.decisions.get('a.jpg')?.boxesSha256, boxesSha256(B));
    assert.deepEqual(audited.readTo, { byte: readFileSync(auditPath(root), 'utf8').lastIndexOf('\n') + 1, line: 2 });
    assert.ok(audited.readTo.byte > readTo.byte);
    // The next append cuts the torn line and says so; the catch-up reads on from where it stopped.
    await appendAudit(root, detectImage('b.jpg', A, 3));
    await catchUpAudited(root, audited);
    assert.deepEqual([...audited.decisions.keys()], ['a.jpg', 'b.jpg']);
    assert.equal(audited.readTo.line, 4);
    assert.deepEqual((await verifyAuditLog(root)).findings, []);
  });
});
