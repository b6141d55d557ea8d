import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ErrorCode, type Box, type ImageRecord } from '../../daemon/protocol';
import { POSSIBLE_FACE_FLOOR } from '../../daemon/review/possibleFaces';
import { startDaemon, rpcError, type TestDaemon } from '../support/daemon';
import { addKey, auditEntries } from '../support/commitFixtures';
import { runCli } from '../support/cli';
import { place, tempDir } from '../support/images';
import { REPO_ROOT } from '../support/paths';

// The embedded model finds the astronaut's face at 0.89 and three textures between 0.2 and 0.5 on this sample.
const SAMPLE = join(REPO_ROOT, 'samples', 'astronaut.jpg');

const possibleOf = (record: ImageRecord) => record.boxes.filter((box) => box.state === 'possible');
const withState = (boxes: Box[], ids: ReadonlySet<string>, state: Box['state']) => boxes.map((box) => (ids.has(box.id) ? { ...box, state } : box));

describe('possible faces through the real daemon', function () {
  this.timeout(120_000);
  let daemon: TestDaemon;
  let root: string;
  beforeEach(async () => {
    daemon = await startDaemon();
    root = tempDir();
    place(SAMPLE, root, 'a.jpg');
    place(SAMPLE, root, 'b.jpg');
    await addKey(root);
    await daemon.client.request('dataset/detect', { root });
  });
  afterEach(async () => daemon.client.close());

  it('keeps detections between the floor and the threshold as possible faces, apart from the proposals', async () => {
    const record = await daemon.client.request('review/get', { root, file: 'a.jpg' });
    const threshold = record.detection!.threshold;
    const possible = possibleOf(record);
    assert.ok(possible.length > 0, 'the sample has sub-threshold detections');
    for (const box of possible) assert.ok(box.score! >= POSSIBLE_FACE_FLOOR && box.score! < threshold, `score ${box.score}`);
    const proposed = record.boxes.filter((box) => box.state === 'proposed');
    assert.ok(proposed.length > 0 && proposed.every((box) => box.score! >= threshold));
    const detectImage = auditEntries(root).find((entry) => entry.type === 'detect-image' && entry.file === 'a.jpg') as { faces: number; boxes: { model: { possible: number } } };
    assert.equal(detectImage.faces, proposed.length);
    assert.equal(detectImage.boxes.model.possible, possible.length);
  });

  it('redacts no possible face at commit; a promoted one, once accepted, is redacted', async () => {
    const a = await daemon.client.request('review/get', { root, file: 'a.jpg' });
    const promoted = possibleOf(a)[0]!;
    // Promote one possible face, then accept every proposal: the other possible faces stay possible.
    const promotedBoxes = withState(a.boxes, new Set([promoted.id]), 'proposed');
    const accepted = promotedBoxes.map((box) => (box.state === 'proposed' ? { ...box, state: 'accepted' as const } : box));
    await daemon.client.request('review/update', { root, file: 'a.jpg', boxes: accepted, status: 'reviewed' });
    const b = await daemon.client.request('review/get', { root, file: 'b.jpg' });
    await daemon.client.request('review/update', { root, file: 'b.jpg', boxes: b.boxes.map((box) => (box.state === 'proposed' ? { ...box, state: 'accepted' } : box)), status: 'reviewed' });
    const result = await daemon.client.request('dataset/commit', { root });
    assert.deepEqual(result.committed, ['a.jpg', 'b.jpg']);
    const redacted = Object.fromEntries(auditEntries(root).filter((e) => e.type === 'commit-image').map((e) => [e.file, e.redacted]));
    const acceptedIn = (record: ImageRecord) => record.boxes.filter((box) => box.state === 'proposed').length;
    assert.equal(redacted['b.jpg'], acceptedIn(b), 'only the proposals of b.jpg');
    assert.equal(redacted['a.jpg'], acceptedIn(a) + 1, 'the proposals of a.jpg and the promoted possible face');
  });

  it('refuses to commit unreviewed model boxes while possible faces are unresolved, naming the images and counts', async () => {
    const a = await daemon.client.request('review/get', { root, file: 'a.jpg' });
    const b = await daemon.client.request('review/get', { root, file: 'b.jpg' });
    // b.jpg: every possible face dismissed (rejected) - it no longer counts.
    await daemon.client.request('review/update', { root, file: 'b.jpg', boxes: withState(b.boxes, new Set(possibleOf(b).map((box) => box.id)), 'rejected') });
    const error = await rpcError(daemon.client.request('dataset/commit', { root, includeUnreviewed: true }));
    assert.equal(error.code, ErrorCode.PossibleFacesUnresolved);
    assert.equal(error.file, 'a.jpg');
    const count = possibleOf(a).length;
    assert.match(error.message, new RegExp(`^${count} possible faces? unresolved in 1 unreviewed image .*: a\\.jpg \\(${count}\\);`));
    assert.ok(!auditEntries(root).some((entry) => entry.type === 'commit-image'), 'nothing committed');
  });

  it('commits with a reason when asked to, and the commit entry records the override', async () => {
    const a = await daemon.client.request('review/get', { root, file: 'a.jpg' });
    const b = await daemon.client.request('review/get', { root, file: 'b.jpg' });
    const result = await daemon.client.request('dataset/commit', { root, includeUnreviewed: true, allowPossibleFaces: 'textures on the suit, checked by eye' });
    assert.deepEqual(result.committed, ['a.jpg', 'b.jpg']);
    const commit = auditEntries(root).find((entry) => entry.type === 'commit');
    assert.deepEqual(commit?.possibleFacesAllowed, { reason: 'textures on the suit, checked by eye', images: 2, possible: possibleOf(a).length + possibleOf(b).length });
  });

  it('veil commit refuses with the images and counts, and --allow-possible-faces needs a reason', async () => {
    await daemon.client.close();
    const refused = await runCli(['commit', root, '--include-unreviewed']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /possible faces? unresolved in 2 unreviewed images.*a\.jpg \(\d+\), b\.jpg \(\d+\)/);
    assert.match(refused.stderr, /--allow-possible-faces --reason/);
    const noReason = await runCli(['commit', root, '--include-unreviewed', '--allow-possible-faces']);
    assert.equal(noReason.code, 2);
    const allowed = await runCli(['commit', root, '--include-unreviewed', '--allow-possible-faces', '--reason', 'pilot batch']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal((auditEntries(root).find((entry) => entry.type === 'commit')?.possibleFacesAllowed as { reason: string }).reason, 'pilot batch');
    daemon = await startDaemon();
  });
});
