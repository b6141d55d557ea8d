/**
 * Issue #13: what a video is, as Veil reads it (daemon/video/probe.ts), with the bundled ffprobe: containers and
 * codecs, rotation, and every refusal as a coded error whose message is the cause (never the file's name).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../daemon/protocol';
import { VeilError } from '../../daemon/errors';
import { DEFAULT_VIDEO_LIMITS, probeVideo } from '../../daemon/video/probe';
import { startTool } from '../../daemon/video/toolProcess';
import { ASTRONAUT, tempDir } from '../support/images';
import { makeClip, type ClipSpec } from '../support/syntheticClips';

const SMALL: ClipSpec = { width: 320, height: 240, fps: 25, frames: 50, faces: [{ keys: [{ frame: 0, x: 40, y: 20, scale: 0.8 }, { frame: 49, x: 160, y: 30, scale: 0.8 }] }] };

async function refusal(path: string, limits = DEFAULT_VIDEO_LIMITS): Promise<VeilError> {
  try {
    await probeVideo(path, limits);
  } catch (error) {
    assert.ok(VeilError.is(error), `expected a VeilError, got ${String(error)}`);
    assert.equal(error.file, undefined, 'the caller names the file');
    assert.ok(!error.message.includes(path), `the message names the cause, not the file: ${error.message}`);
    return error;
  }
  assert.fail(`probing ${path} should fail`);
}

describe('video probe', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = tempDir('veil-probe-');
  });

  it('reads an H.264 MP4: displayed size, rate, frame count, duration, codec, no audio', async () => {
    const clip = await makeClip({ ...SMALL, name: 'plain' }, dir);
    assert.deepEqual(await probeVideo(clip.path), { width: 320, height: 240, fps: 25, frames: 50, durationS: 2, codec: 'h264', rotation: 0, hasAudio: false });
  });

  it('reads an MKV (no frame count in the file: duration × rate) and counts its audio', async () => {
    const clip = await makeClip({ ...SMALL, container: 'mkv', audio: true, name: 'withAudio' }, dir);
    const info = await probeVideo(clip.path);
    assert.equal(info.frames, 50);
    assert.equal(info.codec, 'h264');
    assert.equal(info.hasAudio, true);
  });

  it('reads a VP9 WebM', async () => {
    const clip = await makeClip({ ...SMALL, container: 'webm', name: 'vp9' }, dir);
    const info = await probeVideo(clip.path);
    assert.equal(info.codec, 'vp9');
    assert.equal(info.frames, 50);
    assert.equal(info.fps, 25);
  });

  it('counts the frames of a WebM that carries no duration, as a browser records it (MediaRecorder)', async () => {
    const clip = await makeClip({ ...SMALL, container: 'webm', name: 'recorded' }, dir);
    const live = join(dir, 'live.webm');
    const remux = await startTool('ffmpeg', ['-v', 'error', '-y', '-i', `file:${clip.path}`, '-c', 'copy', '-f', 'webm', '-live', '1', `file:${live}`]);
    assert.equal((await remux.exited).code, 0);
    const info = await probeVideo(live);
    assert.equal(info.frames, 50);
    assert.equal(info.durationS, 2);
  });

  for (const rotation of [90, 180, 270] as const) {
    it(`a clip displayed turned ${rotation}° has rotation ${rotation} and its displayed size${rotation === 180 ? '' : ' (sides swapped)'}`, async () => {
      const clip = await makeClip({ ...SMALL, rotation, name: `turned${rotation}` }, dir);
      const info = await probeVideo(clip.path);
      assert.equal(info.rotation, rotation);
      assert.deepEqual([info.width, info.height], [320, 240], 'displayed as specified');
    });
  }

  it('refuses a video above the duration limit or the frame-size limit with VideoTooLarge naming the limit', async () => {
    const clip = await makeClip({ ...SMALL, name: 'limits' }, dir);
    const long = await refusal(clip.path, { ...DEFAULT_VIDEO_LIMITS, maxDurationS: 1 });
    assert.equal(long.code, ErrorCode.VideoTooLarge);
    assert.equal(long.message, 'it lasts 0:00:02, above the limit of 0:00:01 for a video');
    const wide = await refusal(clip.path, { ...DEFAULT_VIDEO_LIMITS, maxFramePixels: 320 * 200 });
    assert.equal(wide.code, ErrorCode.VideoTooLarge);
    assert.match(wide.message, /^its frames are 320×240 \(0\.1 MP\), above the limit of 0\.1 MP per frame$/);
  });

  it('refuses a truncated MP4 (index at the end, cut off), a corrupt one, an empty one and a text file named .mp4 as VideoUnreadable, with the cause', async () => {
    // Remuxed with a title, the clip has its index last, as a camera writes it: cut in half, the index is gone.
    const camera = readFileSync((await makeClip({ ...SMALL, name: 'camera', metadata: { title: 'x' } }, dir)).path);
    assert.ok(camera.indexOf('moov') > camera.indexOf('mdat'));
    writeFileSync(join(dir, 'truncated.mp4'), camera.subarray(0, camera.length >> 1));
    const corrupt = Buffer.from(readFileSync((await makeClip({ ...SMALL, name: 'whole' }, dir)).path));
    corrupt.fill(0x5a, 40, 2000);
    writeFileSync(join(dir, 'corrupt.mp4'), corrupt);
    writeFileSync(join(dir, 'empty.mp4'), '');
    writeFileSync(join(dir, 'notes.mp4'), 'Patient 12: consent signed.\n');
    const causes: Record<string, RegExp> = {
      'truncated.mp4': /^not a readable video: its index \(moov atom\) is missing, so it is truncated or not a video$/,
      'corrupt.mp4': /^not a readable video: no stream can be read from it \(it is damaged\)$/,
      'empty.mp4': /^file is empty \(0 bytes\)$/,
      'notes.mp4': /^not a readable video: its index \(moov atom\) is missing/,
    };
    for (const [name, cause] of Object.entries(causes)) {
      const error = await refusal(join(dir, name));
      assert.equal(error.code, ErrorCode.VideoUnreadable, `${name}: ${error.message}`);
      assert.match(error.message, cause, name);
    }
  });

  it('refuses an image named .mp4 and a codec ffmpeg does not decode as VideoUnsupported, naming what it is', async () => {
    copyFileSync(ASTRONAUT, join(dir, 'photo.mp4'));
    const image = await refusal(join(dir, 'photo.mp4'));
    assert.equal(image.code, ErrorCode.VideoUnsupported);
    assert.match(image.message, /^it is png data, not a video container Veil reads \(MP4, MOV, MKV, WebM/);

    // The sample entry's fourcc rewritten to VVC's: ffprobe and ffmpeg find no decoder for it.
    const clip = await makeClip({ ...SMALL, name: 'toVvc' }, dir);
    const bytes = readFileSync(clip.path);
    bytes.write('vvc1', bytes.indexOf('avc1', bytes.indexOf('stsd')));
    writeFileSync(join(dir, 'vvc.mp4'), bytes);
    const codec = await refusal(join(dir, 'vvc.mp4'));
    assert.equal(codec.code, ErrorCode.VideoUnsupported);
    assert.equal(codec.message, 'its video codec (unknown, tagged vvc1) is not one ffmpeg decodes');
  });

  it('refuses a missing file and a folder named like a video', async () => {
    assert.equal((await refusal(join(dir, 'absent.mp4'))).code, ErrorCode.BadPath);
    assert.equal((await refusal(dir)).code, ErrorCode.VideoUnreadable);
  });
});
