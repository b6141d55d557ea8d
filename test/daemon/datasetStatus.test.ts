/**
 * `dataset/status`, what the Veil view reads: each image's status, revision and faces as `dataset/open` has them,
 * without the boxes and without writing anything; the daemon watches the dataset from then on.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faceCount, type Box, type ImageRecord, type ImageStatusEntry, type ReviewChangedParams } from '../../daemon/protocol';
import { auditPath } from '../../daemon/audit/log';
import { openReconciled, startDaemon, type TestDaemon } from '../support/daemon';
import { ASTRONAUT, NO_FACE, place, tempDir } from '../support/images';
import { auditLines } from '../support/reviewAudit';

/** What `dataset/status` must say of an image, worked out from `dataset/open`'s record of it. */
function expectedStatus(file: string, record: ImageRecord | undefined): ImageStatusEntry {
  if (!record) return { file, status: 'unreviewed' };
  return { file, status: record.status, revision: record.revision ?? 0, faces: faceCount(record.boxes) };
}

describe('dataset/status: the Veil view’s read of a dataset', function () {
  this.timeout(60_000);
  let daemon: TestDaemon;
  let root: string;

  beforeEach(async () => {
    daemon = await startDaemon();
    root = tempDir();
    place(ASTRONAUT, root, 'a.png');
    place(ASTRONAUT, root, 'people/b.png');
    place(NO_FACE, root, 'coffee.png');
    writeFileSync(join(root, 'broken.jpg'), 'not an image');
    await daemon.client.request('dataset/detect', { root });
    // Detected after: never detected, no record.
    place(ASTRONAUT, root, 'late.png');
  });
  afterEach(async () => daemon.client.close());

  it('answers each image’s status, revision and faces as dataset/open has them, its failures and exclusions, and writes nothing', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'a.png' });
    const decided: Box[] = record.boxes.map((box, index) => ({ ...box, state: index === 0 ? 'accepted' : 'rejected' }));
    await daemon.client.request('review/update', { root, file: 'a.png', boxes: decided, status: 'reviewed', baseRevision: record.revision });
    // The log cut back before a.png's decision: its record is no longer explained. Opening it for review records that
    // (a reconcile); listing it does not.
    const lines = readFileSync(auditPath(root), 'utf8').split('\n');
    const decision = lines.findIndex((line) => line.includes('"review-change"'));
    truncateSync(auditPath(root), Buffer.byteLength(lines.slice(0, decision).join('\n') + '\n'));
    await daemon.client.request('dataset/exclude', { root, files: ['coffee.png'], reason: 'no person in it' });
    const audit = readFileSync(auditPath(root));

    const status = await daemon.client.request('dataset/status', { root });
    assert.deepEqual(readFileSync(auditPath(root)), audit, 'dataset/status wrote to the audit log');
    const { opened, recorded } = await openReconciled(daemon.client, root);
    assert.equal(recorded, 1);
    assert.equal(auditLines(root).filter((line) => line.type === 'review-reconcile').length, 1, 'dataset/open reconciles');

    assert.equal(status.root, opened.root);
    assert.equal(status.scope, '');
    const records = new Map(await Promise.all(opened.rows.map(async (row) => [row.file, await daemon.client.request('review/get', { root, file: row.file })] as const)));
    assert.deepEqual(status.images, opened.files.map(({ file }) => expectedStatus(file, records.get(file))));
    assert.deepEqual(status.images.map((image) => image.file), ['a.png', 'late.png', 'people/b.png']);
    assert.deepEqual(status.images[0], { file: 'a.png', status: 'reviewed', revision: records.get('a.png')!.revision, faces: 1 });
    assert.deepEqual(status.images[1], { file: 'late.png', status: 'unreviewed' });
    assert.deepEqual(status.failures.map((failure) => failure.file), ['broken.jpg']);
    assert.deepEqual(status.failures, opened.failures);
    assert.deepEqual(status.excluded, opened.excluded);
    assert.deepEqual(status.excluded.map((excluded) => excluded.file), ['coffee.png']);
  });

  it('a folder inside the dataset answers for the dataset, narrowed to that folder', async () => {
    const status = await daemon.client.request('dataset/status', { root: join(root, 'people') });
    assert.equal(status.scope, 'people');
    assert.deepEqual(status.images.map((image) => image.file), ['people/b.png']);
  });

  it('a link leading outside the dataset is a failure, also when a review record gives its size; a link inside is an image', async () => {
    const outside = tempDir();
    place(ASTRONAUT, outside, 'secret.png');
    // Detected as an image of its own, then swapped for a link to a file outside: its record must not vouch for it.
    place(ASTRONAUT, root, 'swapped.png');
    await daemon.client.request('dataset/detect', { root, files: ['swapped.png'] });
    rmSync(join(root, 'swapped.png'));
    symlinkSync(join(outside, 'secret.png'), join(root, 'swapped.png'));
    symlinkSync(join(root, 'a.png'), join(root, 'inner.png'));
    for (const method of ['dataset/status', 'dataset/open'] as const) {
      const answer = await daemon.client.request(method, { root });
      const listed = 'images' in answer ? answer.images : answer.files;
      assert.deepEqual(listed.map((image) => image.file), ['a.png', 'coffee.png', 'inner.png', 'late.png', 'people/b.png'], method);
      const swapped = answer.failures.find((failure) => failure.file === 'swapped.png');
      assert.match(swapped?.message ?? '', /leads outside the dataset/, method);
    }
  });

  it('the daemon watches the dataset from then on: another process’s edit arrives as review/changed', async () => {
    await daemon.client.request('dataset/status', { root });
    const other = await startDaemon();
    try {
      const heard = new Promise<ReviewChangedParams>((resolve) => {
        const stop = daemon.client.onReviewChanged((params) => {
          if (!params.records.some((r) => r.file === 'people/b.png')) return;
          stop();
          resolve(params);
        });
      });
      const record = await other.client.request('review/get', { root, file: 'people/b.png' });
      const rejected: Box[] = record.boxes.map((box) => ({ ...box, state: 'rejected' }));
      await other.client.request('review/update', { root, file: 'people/b.png', boxes: rejected, baseRevision: record.revision });
      const changed = (await heard).records.find((r) => r.file === 'people/b.png')!;
      assert.deepEqual(changed.boxes, rejected);
    } finally {
      await other.client.close();
    }
  });
});
