/**
 * `image/thumbnail` of a video over the real daemon: its poster frame, the frame at a tenth of its duration, as the
 * video displays (turned by its rotation), fitted in the size asked, cached under `.veil/thumbs/` (kept out of version
 * control) until the file changes.
 */
import assert from 'node:assert/strict';
import { existsSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { VideoInfo } from '../../daemon/protocol';
import { probeVideo } from '../../daemon/video/probe';
import { readFrames } from '../../daemon/video/frameReader';
import { startDaemon, type TestDaemon } from '../support/daemon';
import { tempDir, meanDiff } from '../support/images';
import { makeClip, type ClipSpec } from '../support/syntheticClips';

/** Displayed 320 × 240 (stored turned), the face crossing from left to right: frame 0 and frame 4 (10%) differ. */
const CLIP: ClipSpec = {
  width: 320,
  height: 240,
  fps: 10,
  frames: 40,
  faces: [{ keys: [{ frame: 0, x: 0, y: 20, scale: 0.8 }, { frame: 39, x: 200, y: 20, scale: 0.8 }] }],
  rotation: 90,
};

/** Frame n of the video, fitted into 128 × 128 like the thumbnail, as raw RGB. */
async function frameFitted(path: string, info: VideoInfo, n: number): Promise<Buffer> {
  for await (const { rgb } of readFrames(path, info, { from: n, to: n + 1 })) {
    return sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).resize(128, 128, { fit: 'inside' }).raw().toBuffer();
  }
  throw new Error(`no frame ${n}`);
}


describe('a video thumbnail is its poster frame (real daemon)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  afterEach(async () => {
    await daemon?.client.close();
    daemon = undefined;
  });

  it('shows the frame at 10% of the duration as displayed, fitted in the size asked, cached until the file changes', async () => {
    const root = tempDir('veil-video-thumb-');
    const clip = await makeClip(CLIP, root);
    const info = await probeVideo(clip.path);
    daemon = await startDaemon();

    const { path } = await daemon.client.request('image/thumbnail', { root, file: 'clip.mp4', size: 128 });
    assert.equal(dirname(path), join(root, '.veil', 'thumbs'));
    assert.ok(existsSync(join(root, '.veil', '.gitignore')), 'the thumbnail shows a face: .veil/.gitignore keeps it out of git');
    const thumb = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([thumb.info.format, thumb.info.width, thumb.info.height], ['raw', 128, 96], 'displayed 320 × 240 fits as 128 × 96');
    const poster = meanDiff(thumb.data, await frameFitted(clip.path, info, 4));
    const first = meanDiff(thumb.data, await frameFitted(clip.path, info, 0));
    assert.ok(poster < 4, `the thumbnail differs from frame 4 by ${poster.toFixed(1)} per channel`);
    assert.ok(first > poster * 2, `frame 0 (${first.toFixed(1)}) is no further from the thumbnail than frame 4 (${poster.toFixed(1)})`);

    assert.equal((await daemon.client.request('image/thumbnail', { root, file: 'clip.mp4', size: 128 })).path, path, 'asked again: the cached one');
    utimesSync(clip.path, new Date(), new Date(Date.now() + 5_000));
    assert.notEqual((await daemon.client.request('image/thumbnail', { root, file: 'clip.mp4', size: 128 })).path, path, 'a changed file gets a new one');
  });
});
