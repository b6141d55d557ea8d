import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DaemonError } from '../../client/daemonClient';
import { ErrorCode, type Box, type ProgressParams } from '../../daemon/protocol';
import { iou } from '../../daemon/review/merge';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { readReviewImages } from '../support/reviewFiles';
import { ASTRONAUT, ASTRONAUT_FACE, NO_FACE, makeDataset, place, tempDir } from '../support/images';

const readReview = readReviewImages;

describe('detection through the real daemon', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  afterEach(async () => daemon?.client.close());

  it('finds the astronaut face where it is', async () => {
    daemon = await startDaemon();
    const result = await daemon.client.request('image/detect', { path: ASTRONAUT });
    assert.equal(result.width, 512);
    assert.ok(result.faces.length >= 1, 'no face found');
    const best = result.faces.reduce((a, b) => (a.score > b.score ? a : b));
    assert.ok(iou(best, ASTRONAUT_FACE) > 0.4, `face box ${JSON.stringify(best)} is not on the face`);
  });

  it('scores a picture of coffee well below the astronaut face', async () => {
    daemon = await startDaemon();
    const best = async (path: string) => Math.max(0, ...(await daemon.client.request('image/detect', { path })).faces.map((f) => f.score));
    const [face, coffee] = [await best(ASTRONAUT), await best(NO_FACE)];
    assert.ok(face - coffee > 0.2, `astronaut ${face.toFixed(2)} vs coffee ${coffee.toFixed(2)}`);
  });

  it('writes proposals for a whole folder into review.json, with progress', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    place(ASTRONAUT, root, 'a/astronaut.png');
    place(NO_FACE, root, 'b/coffee.png');
    const progress: ProgressParams[] = [];
    const result = await daemon.client.request('dataset/detect', { root }, { onProgress: (p) => progress.push(p) });
    assert.equal(result.processed, 2);
    assert.deepEqual(result.failures, []);
    const review = readReview(root);
    assert.ok(review['a/astronaut.png'].boxes.length >= 1);
    // Proposals, and the detections under the threshold kept as possible faces.
    assert.ok(review['a/astronaut.png'].boxes.every((b) => b.source === 'model' && (b.state === 'proposed' || b.state === 'possible')));
    assert.ok(review['a/astronaut.png'].boxes.some((b) => b.state === 'proposed'));
    assert.equal(review['b/coffee.png'].width, 600);
    assert.equal(progress.at(-1)?.done, 2);
    assert.equal(progress.at(-1)?.total, 2);
  });

  it('keeps boxes a person accepted, moved or drew when detection runs again', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    place(ASTRONAUT, root, 'astronaut.png');
    await daemon.client.request('dataset/detect', { root });
    const record = await daemon.client.request('review/get', { root, file: 'astronaut.png' });
    const face = record.boxes[0];
    const accepted: Box = { ...face, x: face.x + 3, state: 'accepted', edited: true };
    const drawn: Box = { id: 'manual-1', x: 400, y: 400, w: 50, h: 60, score: null, source: 'manual', state: 'accepted', edited: false };
    const rejected: Box[] = record.boxes.slice(1).map((b) => ({ ...b, state: 'rejected' }));
    await daemon.client.request('review/update', { root, file: 'astronaut.png', boxes: [accepted, ...rejected, drawn], status: 'reviewed' });
    const again = await daemon.client.request('dataset/detect', { root, force: true });
    assert.equal(again.processed, 1);
    const after = readReview(root)['astronaut.png'];
    assert.deepEqual(after.boxes.find((b) => b.id === accepted.id), accepted);
    assert.deepEqual(after.boxes.find((b) => b.id === 'manual-1'), drawn);
    for (const box of rejected) assert.deepEqual(after.boxes.find((b) => b.id === box.id), box);
    assert.equal(after.boxes.filter((b) => b.state === 'proposed').length, 0, 'a decided face was proposed again');
    assert.equal(after.status, 'reviewed');
    assert.equal(after.reviewer, 'Test Reviewer');
  });

  it('skips images already detected with the same settings', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    place(ASTRONAUT, root, 'astronaut.png');
    await daemon.client.request('dataset/detect', { root });
    const second = await daemon.client.request('dataset/detect', { root });
    assert.equal(second.processed, 0);
    assert.equal(second.skipped, 1);
    assert.ok(second.images[0].faces.length >= 1);
  });

  it('stops between images when cancelled, leaving valid review state', async () => {
    daemon = await startDaemon();
    const root = await makeDataset(40, 320);
    const controller = new AbortController();
    const result = await daemon.client.request('dataset/detect', { root }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 2) controller.abort();
      },
    });
    assert.equal(result.cancelled, true);
    assert.ok(result.processed >= 2 && result.processed < 40, `processed ${result.processed}`);
    assert.equal(Object.keys(readReview(root)).length, result.processed);
  });

  it('survives kill -9 mid-batch: review state intact, human boxes kept, the rerun finishes the rest', async () => {
    const root = await makeDataset(30, 320);
    daemon = await startDaemon();
    await daemon.client.request('dataset/detect', { root, files: ['img-000.jpg'] });
    const first = await daemon.client.request('review/get', { root, file: 'img-000.jpg' });
    const accepted = first.boxes.map((b) => ({ ...b, state: 'accepted' as const }));
    await daemon.client.request('review/update', { root, file: 'img-000.jpg', boxes: accepted, status: 'reviewed' });
    const killed = daemon.client.request('dataset/detect', { root }, { onProgress: (p) => p.done === 20 && daemon.client.kill('SIGKILL') });
    await assert.rejects(killed, /exited/);
    const review = readReview(root);
    // Progress counts images detected; their records are written in groups (at most 32 images or 500 ms apart).
    const done = Object.keys(review).length;
    assert.ok(done >= 1 && done < 30, `${done} records after the kill`);
    assert.deepEqual(review['img-000.jpg'].boxes, accepted);

    daemon = await startDaemon({ VEIL_HOME: daemon.home });
    const rerun = await daemon.client.request('dataset/detect', { root });
    assert.equal(rerun.processed + rerun.skipped, 30);
    assert.equal(rerun.skipped, done);
    assert.deepEqual(readReview(root)['img-000.jpg'].boxes, accepted);
  });

  it('names each bad file and its cause, and goes on with the rest', async () => {
    daemon = await startDaemon({ VEIL_MAX_PIXELS: String(2000 * 2000) });
    const root = tempDir();
    const outside = tempDir();
    place(ASTRONAUT, root, 'good.png');
    const jpeg = await sharp(ASTRONAUT).jpeg().toBuffer();
    writeFileSync(join(root, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    writeFileSync(join(root, 'text.jpg'), 'this is a text file, not a JPEG\n');
    writeFileSync(join(root, 'empty.png'), '');
    // Two frames of 32 px stacked: an animated GIF (under a PNG name), of which Veil would only see the first.
    const frames = await sharp(ASTRONAUT).resize(32, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    writeFileSync(join(root, 'anim.png'), await sharp(frames, { raw: { width: 32, height: 64, channels: 3, pageHeight: 32 } }).gif().toBuffer());
    writeFileSync(join(root, 'huge.png'), await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#888' } }).png().toBuffer());
    mkdirSync(join(root, 'folder.jpg'));
    place(ASTRONAUT, outside, 'secret.png');
    symlinkSync(join(outside, 'secret.png'), join(root, 'link.png'));
    const files = ['good.png', 'truncated.jpg', 'text.jpg', 'empty.png', 'anim.png', 'huge.png', 'folder.jpg', 'link.png', '../escape.png', 'missing.png'];
    const result = await daemon.client.request('dataset/detect', { root, files });
    // A truncated JPEG is read as far as its data goes: the faces in its first rows are detected.
    assert.equal(result.processed, 2);
    assert.deepEqual(result.images.map((image) => image.file), ['good.png', 'truncated.jpg']);
    const byFile = new Map(result.failures.map((f) => [f.file, f]));
    const expect = (file: string, code: ErrorCode, pattern: RegExp) => {
      const failure = byFile.get(file);
      assert.ok(failure, `no failure reported for ${file}`);
      assert.equal(failure.code, code, `${file}: ${failure.message}`);
      assert.match(failure.message, pattern, file);
    };
    expect('text.jpg', ErrorCode.BadImage, /not a readable image/);
    expect('empty.png', ErrorCode.BadImage, /empty/);
    expect('anim.png', ErrorCode.UnsupportedFormat, /animated GIF \(2 frames\)/);
    expect('huge.png', ErrorCode.TooLarge, /3000x3000/);
    expect('folder.jpg', ErrorCode.BadImage, /folder/);
    expect('link.png', ErrorCode.BadPath, /outside the dataset/);
    expect('../escape.png', ErrorCode.BadPath, /outside the dataset/);
    expect('missing.png', ErrorCode.BadPath, /does not exist/);
    assert.equal(result.failures.length, 8);
  });

  it('refuses a dataset path with a NUL byte or one that does not exist', async () => {
    daemon = await startDaemon();
    for (const root of ['/tmp/a\0b', join(tempDir(), 'nope')]) {
      await assert.rejects(daemon.client.request('dataset/open', { root }), (e: unknown) => DaemonError.is(e) && e.code === ErrorCode.BadPath);
    }
  });

  it('lists a dataset recursively with displayed sizes, skipping .veil and non-images, naming unreadable ones', async () => {
    daemon = await startDaemon();
    const root = tempDir();
    place(ASTRONAUT, root, 'x/y/deep.png');
    place(ASTRONAUT, root, 'top.PNG');
    writeFileSync(join(root, 'turned.jpg'), await sharp(ASTRONAUT).resize(300, 100, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 }).toBuffer());
    writeFileSync(join(root, 'broken.jpg'), 'garbage');
    writeFileSync(join(root, 'notes.txt'), 'hello');
    const opened = await daemon.client.request('dataset/open', { root });
    assert.deepEqual(opened.files.map((f) => [f.file, f.width, f.height]), [['top.PNG', 512, 512], ['turned.jpg', 100, 300], ['x/y/deep.png', 512, 512]]);
    assert.equal(opened.summary.images, 3);
    assert.deepEqual(opened.failures.map((f) => [f.file, f.code]), [['broken.jpg', ErrorCode.BadImage]]);
  });
});
