/** Reconcile: recording review records the audit log does not explain, once, without ever blocking a review. */
import { filesInCommit } from '../../../daemon/commit/journal';
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord } from '../../../daemon/protocol';
import { ReviewStore } from '../../../daemon/review/store';
import { Reconciler } from '../../../daemon/services/reconcile';
import { auditPath } from '../../../daemon/audit/log';
import { boxesSha256 } from '../../../daemon/audit/events';
import { TEST_ACTOR, appendAuditSync, box } from '../../support/commitFixtures';
import { tempDir } from '../../support/images';
import { auditLines, unexplainedFiles } from '../../support/reviewAudit';

/** A review.json as a version before per-image detection audit left it: records, and no audit line for them. */
function legacyDataset(count: number): string {
  const root = tempDir();
  const images: Record<string, ImageRecord> = {};
  for (let i = 0; i < count; i++) {
    const file = `img-${i}.jpg`;
    images[file] = { file, width: 512, height: 512, status: 'unreviewed', boxes: [box({ x: i, y: 1, w: 10, h: 10 }, 'proposed')], revision: i + 1 };
  }
  mkdirSync(join(root, '.veil'));
  writeFileSync(join(root, '.veil', 'review.json'), JSON.stringify({ version: 2, seq: count, images }));
  return root;
}

describe('reconcile', () => {
  it('records each record no audit line explains, in one batch, and nothing the next time', async () => {
    const root = legacyDataset(3);
    appendAuditSync(root, { type: 'detect-run', actor: TEST_ACTOR, model: 'm', threshold: 0.5, thorough: false, images: 3, faces: 3 });
    const reconciler = new Reconciler(root, await ReviewStore.open(root, filesInCommit));
    const found = await reconciler.run(TEST_ACTOR);
    assert.deepEqual(found.map(({ record }) => record.file), ['img-0.jpg', 'img-1.jpg', 'img-2.jpg']);
    const lines = auditLines(root).filter((line) => line.type === 'review-reconcile');
    assert.deepEqual(
      lines.map(({ file, reason, status, boxesSha256: sha, revision, lastDecision }) => ({ file, reason, status, sha, revision, lastDecision })),
      found.map(({ record }) => ({ file: record.file, reason: 'change-not-audited', status: 'unreviewed', sha: boxesSha256(record.boxes), revision: record.revision, lastDecision: null })),
    );
    assert.deepEqual(unexplainedFiles(root), []);
    assert.deepEqual(await reconciler.run(TEST_ACTOR), []);
    assert.equal(auditLines(root).length, 4);
  });

  it('never keeps a review from opening: a damaged audit log is left to verify, and the state as it was', async () => {
    const root = legacyDataset(1);
    appendAuditSync(root, { type: 'detect-run', actor: TEST_ACTOR, model: 'm', threshold: 0.5, thorough: false, images: 1, faces: 1 });
    appendFileSync(auditPath(root), '{"seq":1,"prev":"hand-edited"}\n');
    appendAuditSync(root, { type: 'detect-run', actor: TEST_ACTOR, model: 'm', threshold: 0.5, thorough: false, images: 1, faces: 1 });
    const reconciler = new Reconciler(root, await ReviewStore.open(root, filesInCommit));
    const stderr = process.stderr.write;
    let said = '';
    process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
    try {
      assert.deepEqual(await reconciler.run(TEST_ACTOR), []);
    } finally {
      process.stderr.write = stderr;
    }
    assert.match(said, /not reconciled with its audit log: line 2: .*run `veil verify`/);
    assert.equal(auditLines(root).length, 3);
  });
});
