import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DaemonError } from '../../client/daemonClient';
import { ErrorCode, type Box } from '../../daemon/protocol';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { addKey } from '../support/commitFixtures';
import { readReviewImages } from '../support/reviewFiles';
import { ASTRONAUT, place, tempDir } from '../support/images';
import { auditPath } from '../../daemon/audit/log';
import { boxesSha256 } from '../../daemon/audit/events';

/** The audit log, one JSON object per line. */
function auditEntries(root: string): Array<{ type: string; status?: string; boxesSha256?: string }> {
  return readFileSync(auditPath(root), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
}

const isCode = (code: ErrorCode) => (e: unknown) => DaemonError.is(e) && e.code === code;

describe('review state through the real daemon', function () {
  this.timeout(60_000);
  let daemon: TestDaemon;
  let root: string;
  beforeEach(async () => {
    daemon = await startDaemon();
    root = tempDir();
    place(ASTRONAUT, root, 'astronaut.png');
    await daemon.client.request('dataset/detect', { root });
  });
  afterEach(async () => daemon.client.close());

  it('persists an edit to disk as soon as it is answered', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    const rejected: Box[] = record.boxes.map((b) => ({ ...b, state: 'rejected' }));
    await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: rejected });
    const onDisk = readReviewImages(root)['astronaut.png'];
    assert.deepEqual(onDisk.boxes, rejected);
    assert.equal(onDisk.status, 'unreviewed');
  });

  it('refuses to mark an image reviewed while a proposal is undecided', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    assert.ok(record.boxes.some((b) => b.state === 'proposed'));
    await assert.rejects(
      daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: record.boxes, status: 'reviewed' }),
      isCode(ErrorCode.InvalidParams),
    );
  });

  it('records who reviewed an image and when', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    const accepted: Box[] = record.boxes.map((b) => ({ ...b, state: 'accepted' }));
    const after = await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: accepted, status: 'reviewed' });
    assert.equal(after.status, 'reviewed');
    assert.equal(after.reviewer, 'Test Reviewer');
    assert.ok(Date.now() - Date.parse(after.reviewedAt ?? '') < 60_000);
  });

  it('audits every box change, a move included, with the hash of the boxes it leaves', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    const accepted: Box[] = record.boxes.map((b) => ({ ...b, state: 'accepted' }));
    await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: accepted, status: 'reviewed' });
    const decisions = () => auditEntries(root).filter((e) => e.type === 'review-change');
    const before = decisions().length;
    // One box moved by a pixel: the same counts and status, still a decision a commit must match.
    const moved: Box[] = accepted.map((b, i) => (i === 0 ? { ...b, x: b.x + 1, edited: true } : b));
    await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: moved });
    assert.equal(decisions().length, before + 1);
    assert.equal(decisions().at(-1)!.boxesSha256, boxesSha256(moved));
    assert.equal(decisions().at(-1)!.status, 'reviewed');
    // The same boxes again: nothing changed, nothing audited.
    await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: moved });
    assert.equal(decisions().length, before + 1);
  });

  it('commit refuses a reviewed image whose box was moved in review.jsonl outside Veil', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    const accepted: Box[] = record.boxes.map((b) => ({ ...b, state: 'accepted' }));
    const reviewed = await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: accepted, status: 'reviewed' });
    // A line appended to the review log by hand, in its own format: one coordinate changed.
    const logPath = join(root, '.veil', 'review.jsonl');
    const seq = Math.max(...readFileSync(logPath, 'utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)) + 1;
    const edited = { ...reviewed, revision: seq, boxes: reviewed.boxes.map((b, i) => (i === 0 ? { ...b, x: 0, y: 0 } : b)) };
    appendFileSync(logPath, JSON.stringify({ seq, records: [edited] }) + '\n');
    assert.equal(readReviewImages(root)['astronaut.png'].boxes[0].x, 0);

    await addKey(root);
    const original = readFileSync(join(root, 'astronaut.png'));
    const result = await daemon.client.request('dataset/commit', { root });
    assert.deepEqual(result.committed, []);
    assert.deepEqual(result.failures.map((f) => [f.file, f.code]), [['astronaut.png', ErrorCode.Corrupt]]);
    assert.match(result.failures[0].message, /its boxes differ from the last reviewed decision in the audit log \(edited outside Veil\?\)/);
    assert.ok(readFileSync(join(root, 'astronaut.png')).equals(original), 'the image was touched');
  });

  it('refuses a box outside the image and a file outside the dataset', async () => {
    const outside: Box = { id: 'm1', x: 500, y: 10, w: 100, h: 100, score: null, source: 'manual', state: 'accepted', edited: false };
    await assert.rejects(daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: [outside] }), isCode(ErrorCode.InvalidParams));
    await assert.rejects(daemon.client.request('review/get', { root, file: '../../etc/passwd' }), isCode(ErrorCode.BadPath));
  });

  it('makes cached, display-oriented thumbnails no larger than asked', async () => {
    // Stored 400x200 with EXIF orientation 8: displayed 200 wide, 400 tall.
    const tall = await sharp(ASTRONAUT).resize(400, 200, { fit: 'fill' }).jpeg().withMetadata({ orientation: 8 }).toBuffer();
    writeFileSync(join(root, 'tall.jpg'), tall);
    const { path } = await daemon.client.request('image/thumbnail', { root, file: 'tall.jpg', size: 128 });
    const meta = await sharp(path).metadata();
    assert.equal(meta.height, 128);
    assert.equal(meta.width, 64);
    assert.ok(path.startsWith(join(root, '.veil', 'thumbs')));
    const again = await daemon.client.request('image/thumbnail', { root, file: 'tall.jpg', size: 128 });
    assert.equal(again.path, path);
    assert.equal(statSync(again.path).mtimeMs, statSync(path).mtimeMs);
  });

  it('makes a cached full-size JPEG display copy of a TIFF (which no browser shows), in displayed orientation', async () => {
    const tiff = await sharp(ASTRONAUT).resize(300, 200, { fit: 'fill' }).tiff().withMetadata({ orientation: 6 }).toBuffer();
    writeFileSync(join(root, 'scan.tif'), tiff);
    const { path } = await daemon.client.request('image/displayCopy', { root, file: 'scan.tif' });
    const meta = await sharp(path).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 200, 300]);
    assert.ok(path.startsWith(join(root, '.veil', 'display')));
    assert.equal((await daemon.client.request('image/displayCopy', { root, file: 'scan.tif' })).path, path);
    await assert.rejects(daemon.client.request('image/displayCopy', { root, file: '../scan.tif' }), isCode(ErrorCode.BadPath));
  });

  it('deletes cached thumbnails and display copies, which show faces, once a commit anonymized images', async () => {
    await sharp(ASTRONAUT).tiff().toFile(join(root, 'scan.tif'));
    const { path: thumb } = await daemon.client.request('image/thumbnail', { root, file: 'astronaut.png', size: 128 });
    const { path: shown } = await daemon.client.request('image/displayCopy', { root, file: 'scan.tif' });
    await addKey(root);
    const result = await daemon.client.request('dataset/commit', { root, includeUnreviewed: true, allowPossibleFaces: 'the test commits the model boxes as they are' });
    assert.ok(result.committed.includes('astronaut.png'), JSON.stringify(result));
    assert.equal(existsSync(thumb), false, 'thumbnail of the original face left behind');
    assert.equal(existsSync(shown), false, 'display copy of the original face left behind');
  });
});

