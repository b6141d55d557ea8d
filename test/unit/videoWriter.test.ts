/**
 * Issue #13: what a written video holds (daemon/video/frameWriter.ts), checked with ffprobe: the frames, and none
 * of the original's metadata — no title, creation time, GPS location or rotation — and no audio unless kept.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type VideoInfo } from '../../daemon/protocol';
import { VeilError } from '../../daemon/errors';
import { probeVideo } from '../../daemon/video/probe';
import { readFrames } from '../../daemon/video/frameReader';
import { openFrameWriter } from '../../daemon/video/frameWriter';
import { outputContainerFor } from '../../daemon/video/outputContainers';
import { tempDir, meanDiff } from '../support/images';
import { makeClip, type ClipSpec, type SyntheticClip } from '../support/syntheticClips';
import { allTags, inspectVideo } from '../support/videoInspect';

const SECRETS = { title: 'Patient 12 consultation', creation_time: '2021-03-04T05:06:07Z', location: '+12.3456-098.7654/' };

const CAMERA: ClipSpec = {
  width: 320,
  height: 240,
  fps: 25,
  frames: 30,
  faces: [{ keys: [{ frame: 0, x: 20, y: 10, scale: 0.7 }, { frame: 29, x: 150, y: 30, scale: 0.8 }] }],
  rotation: 90,
  audio: true,
  metadata: SECRETS,
};

/**
 * Tags a muxer writes by itself, naming no person, place, time or device: the MP4/MOV brands, the stream's
 * handler and language defaults, Matroska's per-stream duration, and the encoder's name without its version.
 */
const STRUCTURAL = /^(format:(major_brand|minor_version|compatible_brands)=.*|format:encoder=Lavf|stream \d:(language=(und|eng)|handler_name=(Video|Sound)Handler|vendor_id=(\[0\]\[0\]\[0\]\[0\]|FFMP)|DURATION=[\d:.]+|(ENCODER|encoder)=Lavc (libx264|libvpx-vp9)))$/;

async function reencode(source: string, info: VideoInfo, dest: string, keepAudioFrom?: string): Promise<void> {
  const writer = await openFrameWriter(dest, info, { keepAudioFrom });
  for await (const frame of readFrames(source, info)) await writer.write(frame.rgb);
  await writer.finish();
}

async function frameBuffers(frames: AsyncIterable<{ rgb: Buffer }>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const frame of frames) out.push(frame.rgb);
  return out;
}


describe('video writer', function () {
  this.timeout(120_000);
  let dir: string;
  const sources = new Map<string, SyntheticClip>();
  before(async () => {
    dir = tempDir('veil-writer-');
    for (const container of ['mp4', 'mov', 'mkv', 'webm'] as const) {
      // Matroska carries no display rotation (syntheticClips.ts): those clips are upright.
      const rotation = container === 'mp4' || container === 'mov' ? CAMERA.rotation : 0;
      sources.set(container, await makeClip({ ...CAMERA, container, rotation, name: `camera-${container}` }, dir));
    }
  });

  for (const container of ['mp4', 'mov', 'mkv', 'webm'] as const) {
    it(`a ${container} written from a camera clip keeps its frames${container === 'mp4' || container === 'mov' ? ', turned,' : ''} and none of its title, creation time, GPS location, rotation or audio`, async () => {
      const source = sources.get(container)!;
      const before = await inspectVideo(source.path);
      const tagged = allTags(before).join('\n');
      for (const secret of Object.values(SECRETS)) assert.ok(tagged.includes(secret.slice(0, 10)), `the source holds ${secret}:\n${tagged}`);
      assert.ok(before.streams.some((s) => s.codec_type === 'audio'));

      const info = await probeVideo(source.path);
      const out = join(dir, `out.${container}`);
      await reencode(source.path, info, out);
      const after = await inspectVideo(out);
      const leftover = allTags(after).filter((tag) => !STRUCTURAL.test(tag));
      assert.deepEqual(leftover, [], 'no tag but structural ones');
      assert.deepEqual(after.chapters, []);
      assert.deepEqual(after.streams.map((s) => s.codec_type), ['video'], 'no audio');
      assert.equal(after.streams[0]!.side_data_list, undefined, 'no display matrix: the pixels are turned');
      assert.deepEqual([after.streams[0]!.width, after.streams[0]!.height], [320, 240]);
      const written = await probeVideo(out);
      assert.deepEqual({ ...written, durationS: 0 }, { ...info, rotation: 0, hasAudio: false, durationS: 0, codec: container === 'webm' ? 'vp9' : 'h264' });
      const [original] = await frameBuffers(readFrames(source.path, info, { from: 20, to: 21 }));
      const [copy] = await frameBuffers(readFrames(out, written, { from: 20, to: 21 }));
      assert.ok(meanDiff(original!, copy!) < 3, `frame 20 re-encoded: mean difference ${meanDiff(original!, copy!).toFixed(2)}`);
    });
  }

  it('keeps the audio when asked, copied from the original and without its tags', async () => {
    const source = sources.get('mp4')!;
    const info = await probeVideo(source.path);
    const out = join(dir, 'withAudio.mp4');
    await reencode(source.path, info, out, source.path);
    const after = await inspectVideo(out);
    assert.deepEqual(after.streams.map((s) => `${s.codec_type}/${s.codec_name}`), ['video/h264', 'audio/aac']);
    assert.deepEqual(allTags(after).filter((tag) => !STRUCTURAL.test(tag)), []);
  });

  it('refuses to keep audio that the container cannot hold (AAC into WebM), removing the partial file', async () => {
    const source = sources.get('mp4')!;
    const info = await probeVideo(source.path);
    const out = join(dir, 'aacInWebm.webm');
    await assert.rejects(reencode(source.path, info, out, source.path), (error: unknown) => {
      assert.ok(VeilError.is(error));
      assert.equal(error.code, ErrorCode.VideoUnsupported);
      assert.equal(error.message, 'WebM holds only VP8/VP9/AV1 video and Vorbis/Opus audio: its audio cannot be kept');
      return true;
    });
    assert.equal(existsSync(out), false);
  });

  it('abort() stops the encoder and removes the partial file', async () => {
    const out = join(dir, 'aborted.mp4');
    const writer = await openFrameWriter(out, { width: 320, height: 240, fps: 25 });
    for (let i = 0; i < 20; i++) await writer.write(Buffer.alloc(320 * 240 * 3, i * 10));
    await writer.abort();
    assert.equal(existsSync(out), false);
  });

  it('refuses a frame of the wrong size, and writes odd-sized frames padded to even sides', async () => {
    const writer = await openFrameWriter(join(dir, 'wrong.mp4'), { width: 320, height: 240, fps: 25 });
    await assert.rejects(writer.write(Buffer.alloc(100)), /a frame of 100 bytes, expected 230400 \(320×240 RGB\)/);
    await writer.abort();

    const odd = join(dir, 'odd.mkv');
    const oddWriter = await openFrameWriter(odd, { width: 321, height: 241, fps: 25 });
    for (let i = 0; i < 5; i++) await oddWriter.write(Buffer.alloc(321 * 241 * 3, 128));
    await oddWriter.finish();
    const info = await probeVideo(odd);
    assert.deepEqual([info.width, info.height, info.frames], [322, 242, 5]);
  });

  it('writes MP4, MOV, MKV and WebM, and refuses other names with what it writes', () => {
    assert.equal(outputContainerFor('a/b.MP4').muxer, 'mp4');
    assert.equal(outputContainerFor('b.webm').videoArgs[1], 'libvpx-vp9');
    assert.throws(() => outputContainerFor('clip.avi'), (error: unknown) => {
      assert.ok(VeilError.is(error));
      assert.equal(error.code, ErrorCode.VideoUnsupported);
      assert.equal(error.message, 'Veil writes videos as .mp4, .m4v, .mov, .mkv, .webm only, not .avi: convert it to one of them first');
      return true;
    });
  });
});
