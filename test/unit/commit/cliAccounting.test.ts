/**
 * Issue #9, "nothing is left behind silently", end to end through the built CLI and daemon: detection refuses what
 * it would only see the first frame of and reads a truncated JPEG's face; `veil commit` exits 3 listing every file
 * it left as it was, and 0 once each is reviewed or excluded (`veil exclude`, audited); `veil include` takes it back.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { auditPath } from '../../../daemon/audit/log';
import { ASTRONAUT, tempDir } from '../../support/images';
import { DIST } from '../../support/paths';
import { startDaemon } from '../../support/daemon';
import { FACE_BOX } from '../../support/commitFixtures';
import { FAKE_MP4, severalFrames, stillGif, truncatedJpeg } from '../../support/faceFiles';

const CLI = join(DIST, 'cli.js');

function veil(args: string[], home: string) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, VEIL_HOME: home } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Accepts every box of every detected image and marks it reviewed, as a person in the review panel would. */
async function reviewEverything(root: string, home: string): Promise<void> {
  const daemon = await startDaemon({ VEIL_HOME: home });
  try {
    const { rows } = await daemon.client.request('dataset/open', { root });
    for (const { file } of rows) {
      const record = await daemon.client.request('review/get', { root, file });
      const boxes = record.boxes.map((b) => ({ ...b, state: 'accepted' as const }));
      await daemon.client.request('review/update', { root, file: record.file, boxes, status: 'reviewed', baseRevision: record.revision });
    }
  } finally {
    await daemon.client.close();
  }
}

describe('veil detect / commit / exclude / include account for every file (CLI)', () => {
  it('commit exits 3 listing each file left as it was, 0 once the rest is reviewed or excluded; the animation stays byte for byte', async function () {
    this.timeout(120_000);
    const home = tempDir('veil-home-');
    const root = tempDir('veil-cli-accounting-');
    writeFileSync(join(root, 'good.jpg'), await sharp(ASTRONAUT).jpeg({ quality: 90 }).toBuffer());
    writeFileSync(join(root, 'cut.jpg'), await truncatedJpeg());
    writeFileSync(join(root, 'still.gif'), await stillGif());
    const animation = await severalFrames('webp');
    writeFileSync(join(root, 'anim.webp'), animation);
    writeFileSync(join(root, 'pages.tif'), await severalFrames('tiff'));
    writeFileSync(join(root, 'clip.avi'), FAKE_MP4);
    assert.equal(veil(['keygen', '--out', join(tempDir(), 'id.key'), '--add-to', root], home).code, 0);

    // Detection reads the face of the truncated JPEG and of the GIF, and refuses to look at frame 1 only.
    const detectionsPath = join(tempDir(), 'detections.json');
    const detect = veil(['detect', root, '--predictions', detectionsPath], home);
    assert.equal(detect.code, 1, detect.stdout + detect.stderr);
    assert.match(detect.stderr, /anim\.webp: animated WEBP \(3 frames\): images of several frames are not supported yet/);
    assert.match(detect.stderr, /pages\.tif: multi-page TIFF \(3 pages\)/);
    assert.match(detect.stderr, /clip\.avi: this video container is not supported yet/);
    const { images } = JSON.parse(readFileSync(detectionsPath, 'utf8')) as { images: Array<{ file: string; faces: Array<{ x: number; y: number; w: number; h: number }> }> };
    assert.deepEqual(images.map((image) => image.file), ['cut.jpg', 'good.jpg', 'still.gif']);
    const onFace = (face: { x: number; y: number; w: number; h: number }) =>
      Math.abs(face.x + face.w / 2 - (FACE_BOX.x + FACE_BOX.w / 2)) < 40 && Math.abs(face.y + face.h / 2 - (FACE_BOX.y + FACE_BOX.h / 2)) < 40;
    for (const image of images) assert.ok(image.faces.some(onFace), `${image.file}: no face found where the astronaut's is (${JSON.stringify(image.faces)})`);

    const unreviewed = veil(['commit', root], home);
    assert.equal(unreviewed.code, 3, unreviewed.stdout + unreviewed.stderr);
    assert.match(unreviewed.stdout, /0 image\(s\) committed now, 0 committed before, 0 excluded, 6 left as they were/);
    for (const line of [
      /anim\.webp \[unsupported\]: animated WEBP \(3 frames\)/,
      /clip\.avi \[unsupported\]: this video container is not supported yet/,
      /cut\.jpg \[not-reviewed\]: not reviewed/,
      /good\.jpg \[not-reviewed\]/,
      /pages\.tif \[unsupported\]: multi-page TIFF \(3 pages\)/,
      /still\.gif \[not-reviewed\]/,
    ]) {
      assert.match(unreviewed.stderr, line);
    }

    await reviewEverything(root, home);
    assert.equal(veil(['exclude', root, 'clip.avi'], home).code, 2, '--reason is required');
    const excluded = veil(['exclude', root, 'anim.webp', 'pages.tif', 'clip.avi', '--reason', 'handled by the video pipeline'], home);
    assert.equal(excluded.code, 0, excluded.stderr);
    assert.match(excluded.stdout, /excluded 3 file\(s\); each decision is in the audit log/);
    const audited = readFileSync(auditPath(root), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(audited.filter((entry) => entry.type === 'exclude').map((entry) => entry.file), ['anim.webp', 'pages.tif', 'clip.avi']);
    assert.equal(veil(['detect', root], home).code, 0, 'detection still reports the excluded files');

    const complete = veil(['commit', root], home);
    assert.equal(complete.code, 0, complete.stdout + complete.stderr);
    assert.match(complete.stdout, /3 image\(s\) committed now, 0 committed before, 3 excluded, 0 left as they were/);
    assert.match(complete.stdout, /excluded clip\.avi: handled by the video pipeline \(by /);
    assert.match(complete.stderr, /warning cut\.jpg: the original is damaged or truncated \(.+\): anonymized from the part that could be decoded/);
    assert.ok(readFileSync(join(root, 'anim.webp')).equals(animation), 'the animation was changed');
    assert.equal((await sharp(join(root, 'still.gif')).metadata()).format, 'gif');

    assert.equal(veil(['include', root, 'clip.avi'], home).code, 0);
    const again = veil(['commit', root], home);
    assert.equal(again.code, 3);
    assert.match(again.stdout, /0 image\(s\) committed now, 3 committed before, 2 excluded, 1 left as they were/);
    assert.match(again.stderr, /clip\.avi \[unsupported\]: this video container is not supported yet/);
  });
});
